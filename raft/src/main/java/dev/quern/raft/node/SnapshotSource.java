package dev.quern.raft.node;

import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A stored snapshot as the bytes of its file (header, data, checksum: what the follower verifies),
 * read by offset, so a leader streams it in chunks without holding it in memory. Open while a
 * transfer runs; a file deleted meanwhile (a newer snapshot) stays readable until closed.
 */
public interface SnapshotSource extends AutoCloseable {

  /** The snapshot's index, term and configuration (its data is not loaded). */
  Snapshot meta();

  long length();

  /** Up to {@code max} bytes from {@code offset}. */
  byte[] read(long offset, int max);

  @Override
  void close();

  /** Bytes in memory. */
  static SnapshotSource of(Snapshot meta, byte[] file) {
    return new SnapshotSource() {
      @Override
      public Snapshot meta() {
        return meta;
      }

      @Override
      public long length() {
        return file.length;
      }

      @Override
      public byte[] read(long offset, int max) {
        return Arrays.copyOfRange(file, (int) offset, (int) Math.min(file.length, offset + max));
      }

      @Override
      public void close() {
      }
    };
  }

  /** A file, read with positional reads. */
  static SnapshotSource ofFile(Snapshot meta, Path file) {
    FileChannel channel;
    long length;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      length = channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open snapshot " + file, e);
    }
    return new SnapshotSource() {
      @Override
      public Snapshot meta() {
        return meta;
      }

      @Override
      public long length() {
        return length;
      }

      @Override
      public byte[] read(long offset, int max) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, length - offset));
        try {
          while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
              throw new IOException("snapshot " + file + " ends before " + length + " bytes");
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return buf.array();
      }

      @Override
      public void close() {
        try {
          channel.close();
        } catch (IOException e) {
          // read-only
        }
      }
    };
  }
}
