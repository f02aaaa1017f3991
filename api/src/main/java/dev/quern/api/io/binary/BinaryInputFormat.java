package dev.quern.api.io.binary;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.util.Map;

/**
 * Reads Quern's binary key/value files written by {@link BinaryOutputFormat}. Files are cut at
 * any byte offset; a split reads the blocks whose sync marker starts inside it. The key and value
 * classes come from each file's header and load through the thread's context class loader (the
 * job's loader in a task). With {@value BinaryFormat#INPUT_KEY_CLASS} / {@value
 * BinaryFormat#INPUT_VALUE_CLASS} set (see {@link #expect}), a file holding other classes fails
 * the task with the file's name.
 *
 * <pre>{@code
 * Job.builder("step2").input("out/step1").inputFormat(BinaryInputFormat.class)
 *     .configure(BinaryInputFormat.expect(String.class, Long.class))
 * }</pre>
 */
public class BinaryInputFormat<K, V> extends FileInputFormat<K, V> {

  /** Configuration entries that make the reader check the classes in every file. */
  public static Map<String, String> expect(Class<?> key, Class<?> value) {
    return Map.of(BinaryFormat.INPUT_KEY_CLASS, key.getName(),
        BinaryFormat.INPUT_VALUE_CLASS, value.getName());
  }

  @Override
  public RecordReader<K, V> open(InputSplit split, Configuration conf) throws IOException {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException("BinaryInputFormat reads FileSplits, got " + split);
    }
    return BinaryRecordReader.open(fs, conf, BinaryFormat.loader(),
        trimmed(conf.get(BinaryFormat.INPUT_KEY_CLASS)),
        trimmed(conf.get(BinaryFormat.INPUT_VALUE_CLASS)));
  }

  private static String trimmed(String s) {
    return s == null ? null : s.trim();
  }
}
