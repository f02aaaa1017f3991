package dev.quern.raft.node;

/**
 * Turns timer firings into Raft ticks one interval of real time apart. A JVM that stalls (a garbage
 * collection pause, a starved CPU) gets the timer's missed firings all at once when it resumes (a
 * fixed-rate timer replays them; even a fixed-delay one leaves a backlog in a starved actor's
 * mailbox). Stepped into the core back to back, before any message that arrived meanwhile, a burst
 * of an election timeout's worth of ticks makes a leader that was heard from all along step down by
 * check-quorum, and a follower campaign against a live leader. So a firing less than half an interval
 * after the last admitted tick is dropped: the core's time runs no faster than the wall clock, and a
 * stall counts as no time (as a Go ticker drops ticks for a slow receiver in etcd). Safety never
 * depends on ticks; a stalled node only notices a dead peer a little later.
 */
public final class TickGate {

  private final long minGapNanos;
  private long lastAdmitted;
  private boolean admittedAny;

  /** @param intervalNanos the timer's interval; firings closer than half of it to the last tick are dropped */
  public TickGate(long intervalNanos) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("tick interval must be positive, got " + intervalNanos + " ns");
    }
    this.minGapNanos = intervalNanos / 2;
  }

  /** Whether a firing at {@code nowNanos} ({@link System#nanoTime()} scale) is a tick for the core. */
  public boolean admit(long nowNanos) {
    if (admittedAny && nowNanos - lastAdmitted < minGapNanos) {
      return false;
    }
    admittedAny = true;
    lastAdmitted = nowNanos;
    return true;
  }
}
