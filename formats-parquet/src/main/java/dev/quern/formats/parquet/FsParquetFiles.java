package dev.quern.formats.parquet;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import dev.quern.api.fs.PositionalFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Parquet's {@link InputFile} and {@link OutputFile} for a path of any filesystem: Parquet's own
 * local files for a local path (as before), Quern's {@link FileSystem} for {@code hdfs://} and the
 * rest, so Hadoop settings come from the job's {@code quern.hadoop.*} entries like everywhere else.
 */
final class FsParquetFiles {
  private FsParquetFiles() {}

  static InputFile input(String path, Configuration conf) throws IOException {
    if (FileSystems.isLocal(path)) {
      return new LocalInputFile(LocalFileSystem.toPath(path));
    }
    long length = FileSystems.get(path, conf).status(path).length();
    return new InputFile() {
      @Override
      public long getLength() {
        return length;
      }

      @Override
      public SeekableInputStream newStream() throws IOException {
        return new Stream(PositionalFile.open(path, conf));
      }

      @Override
      public String toString() {
        return path;
      }
    };
  }

  static OutputFile output(String path, Configuration conf) throws IOException {
    if (FileSystems.isLocal(path)) {
      return new LocalOutputFile(LocalFileSystem.toPath(path));
    }
    FileSystem fs = FileSystems.get(path, conf);
    return new OutputFile() {
      @Override
      public PositionOutputStream create(long blockSizeHint) throws IOException {
        return counting(fs.create(path));
      }

      @Override
      public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        fs.delete(path);
        return counting(fs.create(path));
      }

      @Override
      public boolean supportsBlockSize() {
        return false;
      }

      @Override
      public long defaultBlockSize() {
        return 0;
      }

      @Override
      public String getPath() {
        return path;
      }
    };
  }

  private static PositionOutputStream counting(OutputStream out) {
    return new PositionOutputStream() {
      private long pos;

      @Override
      public long getPos() {
        return pos;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        pos++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        pos += len;
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  /** A seekable stream over positional reads. */
  private static final class Stream extends SeekableInputStream {
    private final PositionalFile file;
    private long pos;

    Stream(PositionalFile file) {
      this.file = file;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) {
      pos = newPos;
    }

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
      int n = file.read(ByteBuffer.wrap(b, off, len), pos);
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
      readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      int done = 0;
      while (done < len) {
        int n = read(b, off + done, len - done);
        if (n < 0) {
          throw new EOFException("end of " + file + " after " + done + " of " + len + " bytes");
        }
        done += n;
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (!dst.hasRemaining()) {
        return 0;
      }
      if (dst.hasArray()) {
        int n = read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        if (n > 0) {
          dst.position(dst.position() + n);
        }
        return n;
      }
      byte[] tmp = new byte[Math.min(dst.remaining(), 1 << 16)];
      int n = read(tmp, 0, tmp.length);
      if (n > 0) {
        dst.put(tmp, 0, n);
      }
      return n;
    }

    @Override
    public void readFully(ByteBuffer dst) throws IOException {
      while (dst.hasRemaining()) {
        if (read(dst) < 0) {
          throw new EOFException("end of file with " + dst.remaining() + " bytes still to read");
        }
      }
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
