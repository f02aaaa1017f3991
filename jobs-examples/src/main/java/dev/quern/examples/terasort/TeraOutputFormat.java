package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes each record as its key bytes then its value bytes, nothing else: gensort's layout. */
public class TeraOutputFormat implements OutputFormat<byte[], byte[]> {

  @Override
  public RecordWriter<byte[], byte[]> open(Path workDir, String baseName, Configuration conf)
      throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(workDir.resolve(baseName)),
        256 * 1024);
    return new RecordWriter<>() {
      private long bytes;

      @Override
      public void write(byte[] key, byte[] value) throws IOException {
        out.write(key);
        bytes += key.length;
        if (value != null) {
          out.write(value);
          bytes += value.length;
        }
      }

      @Override
      public long bytesWritten() {
        return bytes;
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }
}
