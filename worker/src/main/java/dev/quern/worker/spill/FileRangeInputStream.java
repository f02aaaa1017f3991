package dev.quern.worker.spill;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads {@code [start, start + length)} of a file through positional reads, so several streams can
 * share one channel. Ends early (returns -1) if the file is shorter than the range: callers that
 * know the expected length detect truncation by counting. A stream that owns its channel takes
 * one opened by {@link RunFiles#open} and closes it through {@link RunFiles#close}.
 */
public final class FileRangeInputStream extends InputStream {
  private final FileChannel channel;
  private final boolean ownsChannel;
  private long pos;
  private final long end;
  private boolean closed;

  public FileRangeInputStream(FileChannel channel, long start, long length, boolean ownsChannel) {
    this.channel = channel;
    this.pos = start;
    this.end = start + length;
    this.ownsChannel = ownsChannel;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    long left = end - pos;
    if (left <= 0) {
      return -1;
    }
    int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), pos);
    if (n <= 0) {
      return -1;
    }
    pos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    if (ownsChannel && !closed) {
      closed = true;
      RunFiles.close(channel);
    }
  }
}
