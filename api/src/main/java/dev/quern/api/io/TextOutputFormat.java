package dev.quern.api.io;

import dev.quern.api.Configuration;
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
    byte[] sep = conf.get(SEPARATOR, "\t").getBytes(StandardCharsets.UTF_8);
    OutputStream out =
        new BufferedOutputStream(Files.newOutputStream(workDir.resolve(baseName)), 256 * 1024);
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
