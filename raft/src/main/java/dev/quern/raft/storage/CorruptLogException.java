package dev.quern.raft.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when stored data is damaged somewhere a crash cannot explain (not the unsynced tail of the
 * last segment), so repairing it silently could lose acknowledged entries. Names the file and byte
 * offset so an operator can inspect it.
 */
public final class CorruptLogException extends IOException {

  private final transient Path file;
  private final long offset;

  public CorruptLogException(Path file, long offset, String reason) {
    super(file + " at offset " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
