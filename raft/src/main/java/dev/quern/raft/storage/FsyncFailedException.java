package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A force (fsync, fdatasync, directory fsync) failed. After that the kernel may have dropped the
 * dirty pages and marked them clean (the 2018 "fsyncgate" finding), so neither a retry nor a
 * re-read can tell what reached the disk. The store that threw it refuses all further calls; a
 * node must stop rather than acknowledge anything (see {@code RaftNodeActor}).
 */
public final class FsyncFailedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public FsyncFailedException(Path file, Throwable cause) {
    super("fsync of " + file + " failed: " + cause, cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
