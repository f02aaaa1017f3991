package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code key<TAB>value} lines in UTF-8, using {@code toString()} of each. A null key or
 * value writes only the other one, without a separator. The separator comes from {@value
 * #SEPARATOR} (default a tab).
 *
 * <pre>{@code
 * Job.builder("wordcount").outputFormat(TextOutputFormat.class) // the default
 * }</pre>
 */
public class TextOutputFormat<K, V> implements OutputFormat<K, V> {
  public static final String SEPARATOR = "quern.output.text.separator";

  @Override
  public RecordWriter<K, V> open(Path workDir, String baseName, Configuration conf)
      throws IOException {
    return writer(Files.newOutputStream(workDir.resolve(baseName)), conf);
  }

  @Override
  public RecordWriter<K, V> open(String workDir, String baseName, Configuration conf)
      throws IOException {
    if (FileSystems.isLocal(workDir)) {
      return open(LocalFileSystem.toPath(workDir), baseName, conf);
    }
    FileSystem fs = FileSystems.get(workDir, conf);
    return writer(fs.create(fs.child(workDir, baseName)), conf);
  }

  private RecordWriter<K, V> writer(OutputStream file, Configuration conf) {
    byte[] sep = conf.get(SEPARATOR, "\t").getBytes(StandardCharsets.UTF_8);
    OutputStream out = new BufferedOutputStream(file, 256 * 1024);
    return new RecordWriter<>() {
      private long bytes;

      @Override
      public void write(K key, V value) throws IOException {
        if (key != null) {
          put(key.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (key != null && value != null) {
          put(sep);
        }
        if (value != null) {
          put(value.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.write('\n');
        bytes++;
      }

      private void put(byte[] b) throws IOException {
        out.write(b);
        bytes += b.length;
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
