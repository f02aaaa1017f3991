package dev.quern.raft.node;

/**
 * Storage failed in a way that restarting the node inside this process cannot repair: an fsync
 * failed (so what reached the disk is unknown, and the page cache may pretend otherwise), or the
 * store found damage on disk that a crash cannot explain and refuses to open. {@link RaftNodeActor}
 * hands it to its {@link FatalHandler}, which by default stops the process.
 */
public final class FatalStorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public FatalStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
