package dev.quern.master.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster actor publishes for other threads (the HTTP endpoint): the live workers while
 * this master leads, and the HTTP addresses the other masters announced.
 */
public final class ClusterBoard {

  /** The workers known in {@code term} (empty unless this master leads in it). */
  public record Workers(long term, List<LiveWorker> workers) {
    public Workers {
      workers = List.copyOf(workers);
    }
  }

  private volatile Workers workers = new Workers(0, List.of());
  private final Map<String, String> httpAddresses = new ConcurrentHashMap<>();

  public Workers workers() {
    return workers;
  }

  void publish(Workers latest) {
    if (latest.term() != workers.term()) {
      leadingSince = System.nanoTime();
    }
    workers = latest;
  }

  private volatile long leadingSince = System.nanoTime();

  /**
   * {@link System#nanoTime} when the term of {@link #workers} began here (this master started or
   * stopped leading): a new leader knows no worker until its next heartbeat.
   */
  public long termSinceNanos() {
    return leadingSince;
  }

  /** The HTTP address master {@code masterId} announced, if it has. */
  public Optional<String> httpAddress(String masterId) {
    return Optional.ofNullable(httpAddresses.get(masterId));
  }

  void announce(String masterId, String httpAddress) {
    httpAddresses.put(masterId, httpAddress);
  }

  private volatile org.apache.pekko.actor.typed.ActorSystem<?> system;

  /** The master's actor system, once the cluster actor runs (null before). */
  public org.apache.pekko.actor.typed.ActorSystem<?> system() {
    return system;
  }

  void attach(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    this.system = system;
  }
}
