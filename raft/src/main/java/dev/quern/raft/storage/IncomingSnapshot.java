package dev.quern.raft.storage;

import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot file arriving from the leader in chunks, written to a temp file in the store's
 * directory ({@code .recv.tmp}; the next open deletes it if it was never installed). {@link
 * #finish()} forces it and reads it back whole, verifying it as any snapshot file (magic, version,
 * CRC32C); only then may {@link RaftLogStore#saveSnapshot(Snapshot, Path)} rename it into place. So a
 * crash at any point leaves the old snapshot or the new one, never part of a file.
 */
public final class IncomingSnapshot implements AutoCloseable {

  private final Path path;
  private final Fsync fsync;
  private final FileChannel channel;
  private long size;

  IncomingSnapshot(Path path, Fsync fsync) throws IOException {
    this.path = path;
    this.fsync = fsync;
    this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
  }

  public Path path() {
    return path;
  }

  /** Bytes written so far. */
  public long size() {
    return size;
  }

  /** Appends the next chunk. */
  public void write(byte[] chunk) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(chunk);
    while (buf.hasRemaining()) {
      size += channel.write(buf, size);
    }
  }

  /**
   * Forces the file, then reads and verifies it.
   *
   * @throws CorruptLogException if the bytes are not a whole, intact snapshot file
   * @throws FsyncFailedException if the force failed (the caller must stop, as for any failed force)
   */
  public Snapshot finish() throws IOException {
    try {
      fsync.force(channel, path, true);
    } catch (IOException | RuntimeException e) {
      throw new FsyncFailedException(path, e);
    }
    channel.close();
    return SnapshotFiles.read(path);
  }

  /** Closes and deletes the file (a transfer abandoned, or a snapshot not installed). */
  public void discard() {
    close();
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // A leftover temp file is deleted by the next open.
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing was promised about this file
    }
  }
}
