package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes each record as its key bytes then its value bytes, nothing else: gensort's layout. */
public class TeraOutputFormat implements OutputFormat<byte[], byte[]> {
  private static final int BUFFER = 256 * 1024;

  @Override
  public RecordWriter<byte[], byte[]> open(Path workDir, String baseName, Configuration conf)
      throws IOException {
    return writer(Files.newOutputStream(workDir.resolve(baseName)));
  }

  /** Any filesystem: a local work directory as above, {@code hdfs://...} through its client. */
  @Override
  public RecordWriter<byte[], byte[]> open(String workDir, String baseName, Configuration conf)
      throws IOException {
    if (FileSystems.isLocal(workDir)) {
      return open(LocalFileSystem.toPath(workDir), baseName, conf);
    }
    FileSystem fs = FileSystems.get(workDir, conf);
    return writer(fs.create(fs.child(workDir, baseName)));
  }

  private static RecordWriter<byte[], byte[]> writer(OutputStream out) {
    // An own buffer rather than a BufferedOutputStream: that one locks on every write, two
    // writes per 100-byte record.
    return new RecordWriter<>() {
      private final byte[] buf = new byte[BUFFER];
      private int used;
      private long bytes;

      @Override
      public void write(byte[] key, byte[] value) throws IOException {
        put(key);
        if (value != null) {
          put(value);
        }
      }

      private void put(byte[] b) throws IOException {
        if (b.length > buf.length - used) {
          flush();
          if (b.length > buf.length) {
            out.write(b);
            bytes += b.length;
            return;
          }
        }
        System.arraycopy(b, 0, buf, used, b.length);
        used += b.length;
        bytes += b.length;
      }

      private void flush() throws IOException {
        if (used > 0) {
          out.write(buf, 0, used);
          used = 0;
        }
      }

      @Override
      public long bytesWritten() {
        return bytes;
      }

      @Override
      public void close() throws IOException {
        try (out) {
          flush();
        }
      }
    };
  }
}
