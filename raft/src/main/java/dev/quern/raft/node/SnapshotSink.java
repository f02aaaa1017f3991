package dev.quern.raft.node;

import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.CorruptLogException;
import dev.quern.raft.storage.RaftLogStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * Where a follower writes a snapshot arriving in chunks ({@link RaftPersistence#receiveSnapshot}):
 * for the WAL a temp file in its directory. {@link #finish()} verifies the whole (the snapshot file's
 * checksum); the node then installs it with {@link RaftPersistence#installSnapshot(Snapshot, Path)}.
 */
public interface SnapshotSink {

  /** Appends the next chunk. */
  void write(byte[] chunk);

  /** Bytes written so far. */
  long size();

  /**
   * Makes the bytes durable (if the store keeps files), reads and verifies them.
   *
   * @throws CorruptLogException if they are not a whole, intact snapshot file (wrapped unchecked as
   *     {@link IllegalArgumentException}); the sink is then useless: {@link #discard()} it
   */
  Received finish();

  /** Drops what was written (a transfer abandoned, or a snapshot the core did not install). */
  void discard();

  /**
   * A verified snapshot and where it lies.
   *
   * @param file the temp file to install, or null for a store without files
   */
  record Received(Snapshot snapshot, Path file) {
  }

  /** A sink in memory, for stores without files. */
  static SnapshotSink inMemory() {
    return new SnapshotSink() {
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

      @Override
      public void write(byte[] chunk) {
        bytes.writeBytes(chunk);
      }

      @Override
      public long size() {
        return bytes.size();
      }

      @Override
      public Received finish() {
        try {
          return new Received(RaftLogStore.decodeSnapshot(bytes.toByteArray(), Path.of("received-snapshot")), null);
        } catch (CorruptLogException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
      }

      @Override
      public void discard() {
        bytes.reset();
      }
    };
  }
}
