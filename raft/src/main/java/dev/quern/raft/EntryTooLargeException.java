package dev.quern.raft;

/**
 * {@link RaftCore#propose} refused a command larger than {@link RaftConfig#maxEntryBytes()}. Not
 * retryable: the same command is refused everywhere. (Without this limit an entry larger than one
 * transport frame would be sent again and again, never arrive, and hold back every later commit.)
 */
public final class EntryTooLargeException extends IllegalArgumentException {

  private final int size;
  private final int limit;

  public EntryTooLargeException(int size, int limit) {
    super("entry of " + size + " bytes exceeds maxEntryBytes " + limit);
    this.size = size;
    this.limit = limit;
  }

  /** The command's size in bytes. */
  public int size() {
    return size;
  }

  /** The configured {@link RaftConfig#maxEntryBytes()}. */
  public int limit() {
    return limit;
  }
}
