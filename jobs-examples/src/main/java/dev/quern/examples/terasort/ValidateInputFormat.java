package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * TeraValidate's input: one split per file (order is checked along a whole file); key = the
 * file's name, value = the whole 100-byte record (the same array, refilled for every record).
 */
public class ValidateInputFormat extends FileInputFormat<String, byte[]> {

  @Override
  protected boolean isSplittable(Path file) {
    return false;
  }

  @Override
  public RecordReader<String, byte[]> open(InputSplit split, Configuration conf)
      throws IOException {
    FileSplit fs = fileSplit(split);
    String name = fs.path().substring(fs.path().lastIndexOf('/') + 1); // local or hdfs://
    return new TeraRecordReader<>(fs, conf) {
      @Override
      public String key() {
        return name;
      }

      @Override
      public byte[] value() {
        return record();
      }
    };
  }
}
