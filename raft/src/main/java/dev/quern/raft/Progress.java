package dev.quern.raft;

/**
 * The leader's view of one follower (or of itself): {@code match} is the highest index known to be
 * replicated there, {@code next} the next index to send. The state decides how to send:
 * PROBE sends one append at a time until the follower's log position is found; REPLICATE streams
 * appends optimistically within the inflight window (bounded in messages and in bytes); SNAPSHOT sends a snapshot in chunks.
 * For the leader itself {@code match} is the last index its driver has made durable (it moves in
 * {@link RaftCore#advance(Ready)}, not on append), so the leader counts toward a commit like any follower.
 */
final class Progress {

  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  /** In PROBE: an append is out and we wait for its answer (or a heartbeat) before sending another. */
  boolean probeSent;
  /** Heard from since the last check-quorum round. */
  boolean recentActive;
  boolean learner;
  final Inflights inflights;

  /** In SNAPSHOT: the snapshot being sent (kept even if the leader compacts again meanwhile). */
  Snapshot pendingSnapshot;
  /** In SNAPSHOT: the byte offset the follower last said it expects. */
  int snapshotOffset;

  Progress(long next, int maxInflight, long maxInflightBytes, boolean learner) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
    this.learner = learner;
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      next = Math.max(match + 1, pendingSnapshot.index() + 1);
    } else {
      next = match + 1;
    }
    resetState(State.PROBE);
  }

  void becomeReplicate() {
    next = match + 1;
    resetState(State.REPLICATE);
  }

  void becomeSnapshot(Snapshot snapshot) {
    resetState(State.SNAPSHOT);
    pendingSnapshot = snapshot;
    snapshotOffset = 0;
  }

  private void resetState(State s) {
    state = s;
    probeSent = false;
    pendingSnapshot = null;
    inflights.reset();
  }

  /** A successful append response: returns whether {@code match} moved. */
  boolean maybeUpdate(long n) {
    boolean updated = false;
    if (match < n) {
      match = n;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, n + 1);
    return updated;
  }

  /**
   * A rejected append for prevIndex {@code rejected}, with the follower's hint. Returns false if the
   * rejection is stale (an answer to an append we no longer care about).
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
    probeSent = false;
    return true;
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  @Override
  public String toString() {
    return state + " match=" + match + " next=" + next + " inflight=" + inflights.count() + "/" + inflights.bytes() + "B";
  }
}
