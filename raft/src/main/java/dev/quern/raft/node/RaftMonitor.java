package dev.quern.raft.node;

import dev.quern.raft.Membership;
import dev.quern.raft.RaftStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What other threads can read of a running node without asking its actor: the latest
 * {@link RaftStatus} it published (at once when its role, term, vote, leader, configuration or
 * snapshot changes; else at most every 10 ms while busy and after every tick, so the indexes and
 * progress in it lag by at most that) and its {@link RaftMetrics}. Give one to {@link RaftNodeActor.Settings}; one monitor per node.
 */
public final class RaftMonitor {

  /** The most leader changes {@link #leaderChanges()} keeps (the earliest go first). */
  public static final int LEADER_HISTORY = 32;

  /**
   * A leader this node learned of: node {@code leader} leads {@code term} (heard at
   * {@code atMillis}, epoch milliseconds on this node's clock). {@code transfer}: the leader won
   * an election that a leadership transfer started (TimeoutNow), as this node could tell (it was
   * the candidate, it was asked for its vote by that candidate with the transfer flag, or it
   * handed leadership over itself); false for an election after a timeout.
   */
  public record LeaderChange(long term, long leader, long atMillis, boolean transfer) {
  }

  private final AtomicReference<RaftStatus> status = new AtomicReference<>();
  private final AtomicReference<Membership> membership = new AtomicReference<>();
  private final AtomicReference<List<LeaderChange>> leaders = new AtomicReference<>(List.of());
  private final RaftMetrics metrics;

  public RaftMonitor() {
    this(new RaftMetrics());
  }

  public RaftMonitor(RaftMetrics metrics) {
    this.metrics = metrics;
  }

  /** The status the node published last; empty until its actor has started. */
  public Optional<RaftStatus> status() {
    return Optional.ofNullable(status.get());
  }

  /**
   * The configuration in force when the status was published last, with the addresses its
   * members were added with; empty until the node's actor has started.
   */
  public Optional<Membership> membership() {
    return Optional.ofNullable(membership.get());
  }

  public RaftMetrics metrics() {
    return metrics;
  }

  /**
   * The leaders this node learned of, the earliest first, at most {@value #LEADER_HISTORY} (since
   * this monitor was made, i.e. since the process started; not persisted).
   */
  public List<LeaderChange> leaderChanges() {
    return leaders.get();
  }

  void publish(RaftStatus latest, Membership configuration) {
    membership.set(configuration);
    status.set(latest);
  }

  void leaderChanged(LeaderChange change) {
    leaders.updateAndGet(old -> {
      List<LeaderChange> next = new ArrayList<>(old.subList(
          Math.max(0, old.size() - LEADER_HISTORY + 1), old.size()));
      next.add(change);
      return List.copyOf(next);
    });
  }
}
