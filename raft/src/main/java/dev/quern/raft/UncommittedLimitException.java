package dev.quern.raft;

/**
 * {@link RaftCore#propose} refused a command because the leader already holds
 * {@link RaftConfig#maxUncommittedBytes()} of uncommitted commands. Retryable: once the group commits
 * (or a new leader takes over), the same command may be proposed again. This is what keeps the
 * leader's memory bounded when proposals arrive faster than a majority can take them.
 *
 * <p>Thrown on the proposal path, possibly many times a second, so it carries no stack trace.
 */
public final class UncommittedLimitException extends RuntimeException {

  private final long uncommittedBytes;
  private final long limit;

  public UncommittedLimitException(long uncommittedBytes, int entryBytes, long limit) {
    super("leader holds " + uncommittedBytes + " uncommitted bytes; an entry of " + entryBytes
        + " more would exceed maxUncommittedBytes " + limit + " (retry once entries commit)", null, false, false);
    this.uncommittedBytes = uncommittedBytes;
    this.limit = limit;
  }

  /** What the leader held uncommitted when it refused. */
  public long uncommittedBytes() {
    return uncommittedBytes;
  }

  /** The configured {@link RaftConfig#maxUncommittedBytes()}. */
  public long limit() {
    return limit;
  }
}
