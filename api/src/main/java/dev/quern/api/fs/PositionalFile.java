package dev.quern.api.fs;

import dev.quern.api.Configuration;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Positional reads of one file on any filesystem, for readers that jump (a header at offset 0,
 * then a split's range): a {@link FileChannel} for a local file, as fast as before there were
 * other filesystems; elsewhere a stream of the file's {@link FileSystem}, reopened at the asked
 * offset when a read does not continue the last one (a short forward gap is skipped), so reading
 * forward costs one open per jump.
 *
 * <pre>{@code
 * try (PositionalFile f = PositionalFile.open("hdfs://nn:8020/data/part-0", conf)) {
 *   ByteBuffer buf = ByteBuffer.allocate(1 << 16);
 *   int n = f.read(buf, split.start());
 * }
 * }</pre>
 */
public abstract class PositionalFile implements Closeable {

  /**
   * Reads into {@code dst} (a heap buffer) from file offset {@code pos}; the number of bytes
   * read, -1 at end of file.
   */
  public abstract int read(ByteBuffer dst, long pos) throws IOException;

  /** The file's length in bytes (when it was opened). */
  public abstract long size() throws IOException;

  /** Opens a local path, a {@code file:} URI or a path of any filesystem of {@link FileSystems}. */
  public static PositionalFile open(String path, Configuration conf) throws IOException {
    if (FileSystems.isLocal(path)) {
      return new Local(FileChannel.open(LocalFileSystem.toPath(path), StandardOpenOption.READ));
    }
    FileSystem fs = FileSystems.get(path, conf);
    return new Remote(fs, path, fs.status(path).length());
  }

  /** The bytes from offset 0 as a stream (for a header); closing it leaves the file open. */
  public InputStream from0() {
    return new InputStream() {
      private long pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n = PositionalFile.this.read(ByteBuffer.wrap(b, off, len), pos);
        if (n > 0) {
          pos += n;
        }
        return n;
      }
    };
  }

  private static final class Local extends PositionalFile {
    private final FileChannel ch;

    Local(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
      return ch.read(dst, pos);
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  private static final class Remote extends PositionalFile {
    /** A forward gap up to this size is skipped over rather than reopened. */
    private static final long SKIP_LIMIT = 256 * 1024;
    private final FileSystem fs;
    private final String path;
    private final long size;
    private InputStream in;
    private long at;

    Remote(FileSystem fs, String path, long size) {
      this.fs = fs;
      this.path = path;
      this.size = size;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
      if (pos >= size) {
        return -1;
      }
      if (in == null || pos < at || pos - at > SKIP_LIMIT) {
        if (in != null) {
          in.close();
        }
        in = fs.open(path, pos);
        at = pos;
      }
      while (at < pos) {
        long skipped = in.skip(pos - at);
        if (skipped <= 0) {
          if (in.read() < 0) {
            return -1;
          }
          skipped = 1;
        }
        at += skipped;
      }
      int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
        at += n;
      }
      return n;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
