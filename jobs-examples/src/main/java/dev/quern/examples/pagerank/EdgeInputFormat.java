package dev.quern.examples.pagerank;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.LineRecordReader;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an edge list: each line {@code src dst} (two tokens separated by spaces or tabs) becomes
 * the record {@code (src, dst)}. Blank lines and lines starting with {@code #} (as in the SNAP
 * graph files) are skipped; any other line fails the task naming the file and byte offset.
 * Splits and line rules are those of {@link dev.quern.api.io.TextInputFormat}.
 */
public class EdgeInputFormat extends FileInputFormat<String, String> {

  @Override
  protected boolean isSplittable(Path file) {
    return !file.getFileName().toString().endsWith(".gz");
  }

  @Override
  public RecordReader<String, String> open(InputSplit split, Configuration conf)
      throws IOException {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException("EdgeInputFormat reads FileSplits, got " + split);
    }
    LineRecordReader lines = new LineRecordReader(fs);
    return new RecordReader<>() {
      private String src;
      private String dst;

      @Override
      public boolean next() throws IOException {
        while (lines.next()) {
          String line = lines.value().strip();
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          String[] t = line.split("\\s+");
          if (t.length != 2 || !Nodes.validId(t[0]) || !Nodes.validId(t[1])) {
            throw new IOException("edges file " + fs.path() + " at byte " + lines.key()
                + ": expected 'src dst' (two node ids), got '" + lines.value() + "'");
          }
          src = t[0];
          dst = t[1];
          return true;
        }
        return false;
      }

      @Override
      public String key() {
        return src;
      }

      @Override
      public String value() {
        return dst;
      }

      @Override
      public float progress() {
        return lines.progress();
      }

      @Override
      public long bytesRead() {
        return lines.bytesRead();
      }

      @Override
      public void close() throws IOException {
        lines.close();
      }
    };
  }
}
