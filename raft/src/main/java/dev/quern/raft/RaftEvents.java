package dev.quern.raft;

/**
 * Transitions only the core can see, reported as they happen (install with
 * {@link RaftCore#setEvents}). The driver turns them into log lines and metrics; everything else an
 * operator needs (leader changes, commits, applied membership changes, snapshots taken and installed,
 * refused proposals) the driver sees itself, in {@link Ready}s and in its own calls.
 *
 * <p>Why a listener and not an slf4j {@code Logger} inside the core (etcd's raft takes a Logger):
 * <ul>
 *   <li>the same event feeds a log line and a counter, so they cannot disagree;</li>
 *   <li>a driver that only compared {@link SoftState}s between Readys would miss transitions inside one
 *       Ready: a pre-vote won, the real election won, and the node is leader before the driver looks
 *       (a single voter always does this; so can any node whose votes arrive in one batch);</li>
 *   <li>the simulation asserts on events directly (who stepped down, and why) instead of parsing logs,
 *       and runs thousands of elections without a logging backend in the loop;</li>
 *   <li>wording, levels and rate limits are the driver's choice, so the core stays the pure function
 *       of state and inputs it is: a listener is one more output, like messages.</li>
 * </ul>
 *
 * <p>Called on the core's thread, in the middle of a {@code tick}/{@code step}/{@code propose}; a
 * listener must not call back into the core, and should not throw (an exception propagates to the
 * caller of the core with the core's state half-updated).
 */
public interface RaftEvents {

  /** Ignores everything: the default. */
  RaftEvents NONE = new RaftEvents() {
  };

  /** Why a leader stopped leading. */
  enum StepDown {
    /** A message carried a higher term: another node has been elected, or is campaigning. */
    HIGHER_TERM,
    /** Check-quorum: a majority of voters was not heard from within an election timeout. */
    QUORUM_LOST,
    /** The conf change that removes this node is committed. */
    REMOVED
  }

  /**
   * A campaign began: a pre-vote round asks whether this node could win {@code term} (its own term
   * does not change), a real election has raised its term to {@code term} and voted for itself.
   *
   * @param transfer the campaign answers a leadership transfer (TimeoutNow)
   */
  default void electionStarted(long term, boolean preVote, boolean transfer) {
  }

  /** A majority of voters refused; the node is a follower again, with no leader known. */
  default void electionLost(long term, boolean preVote) {
  }

  /** This node became leader of {@code term}. */
  default void electionWon(long term) {
  }

  /** This node, leader of {@code term}, stopped leading. */
  default void steppedDown(long term, StepDown reason) {
  }

  /**
   * The leader starts sending {@code snapshot} to {@code to}, whose next entry it has compacted
   * away. Once per transfer (chunks and resends are not reported).
   */
  default void snapshotSendStarted(long to, Snapshot snapshot) {
  }
}
