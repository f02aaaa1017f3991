package dev.quern.raft.storage;

/**
 * The Raft state that must survive a restart besides the log: current term, the vote cast in that
 * term ({@code null} when none) and the commit index.
 *
 * <pre>{@code store.saveHardState(new HardState(4, "master-2", 17)); store.sync();}</pre>
 */
public record HardState(long term, String votedFor, long commit) {

  /** The state of a node that has never voted: term 0, no vote, nothing committed. */
  public static final HardState EMPTY = new HardState(0, null, 0);

  public HardState {
    if (term < 0 || commit < 0) {
      throw new IllegalArgumentException("term and commit must be >= 0: term=" + term + " commit=" + commit);
    }
  }
}
