package dev.quern.raft;

/**
 * The state that must be on stable storage before any message of the same {@link Ready} is sent.
 *
 * @param term   the latest term this node has seen
 * @param vote   the node voted for in {@code term}, or {@link RaftCore#NONE}
 * @param commit the highest index known to be committed (persisted so a restart re-applies no less)
 */
public record HardState(long term, long vote, long commit) {
  public static final HardState EMPTY = new HardState(0, RaftCore.NONE, 0);
}
