package dev.quern.examples.invertedindex;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.LineRecordReader;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Lines of text keyed by the name of the file they come from (not the directory), so that a
 * mapper learns its file with no help from the engine. Splits and line rules are those of
 * {@link dev.quern.api.io.TextInputFormat}; {@code .gz} files are read whole.
 *
 * <p>Example: line 3 of {@code /data/docs/a.txt} reads as {@code ("a.txt", "the third line")}.
 */
public class FileNameInputFormat extends FileInputFormat<String, String> {

  @Override
  protected boolean isSplittable(Path file) {
    return !file.getFileName().toString().endsWith(".gz");
  }

  @Override
  public RecordReader<String, String> open(InputSplit split, Configuration conf)
      throws IOException {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException("FileNameInputFormat reads FileSplits, got " + split);
    }
    String name = Path.of(fs.path()).getFileName().toString();
    LineRecordReader lines = new LineRecordReader(fs);
    return new RecordReader<>() {
      @Override
      public boolean next() throws IOException {
        return lines.next();
      }

      @Override
      public String key() {
        return name;
      }

      @Override
      public String value() {
        return lines.value();
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
