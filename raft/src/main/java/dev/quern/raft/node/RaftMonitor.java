package dev.quern.raft.node;

import dev.quern.raft.RaftStatus;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What other threads can read of a running node without asking its actor: the latest
 * {@link RaftStatus} it published (after every batch of Readys it handles, so at least once a tick)
 * and its {@link RaftMetrics}. Give one to {@link RaftNodeActor.Settings}; one monitor per node.
 */
public final class RaftMonitor {

  private final AtomicReference<RaftStatus> status = new AtomicReference<>();
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

  public RaftMetrics metrics() {
    return metrics;
  }

  void publish(RaftStatus latest) {
    status.set(latest);
  }
}
