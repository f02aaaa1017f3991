package dev.quern.api.io;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.util.List;

/**
 * Cuts the job's input into splits and reads the records of one split.
 *
 * <p>{@link #splits} runs once on the master at submission; {@link #open} runs in each map task.
 * Implementations have a public no-arg constructor.
 *
 * <pre>{@code
 * InputFormat<Long, String> lines = new TextInputFormat();
 * for (InputSplit s : lines.splits(List.of("/data"), conf)) {
 *   try (RecordReader<Long, String> r = lines.open(s, conf)) {
 *     while (r.next()) System.out.println(r.key() + ": " + r.value());
 *   }
 * }
 * }</pre>
 *
 * @param <K> key type of the records
 * @param <V> value type of the records
 */
public interface InputFormat<K, V> {

  /**
   * Plans the splits. Fails with an {@link IOException} naming the path when an input does not
   * exist or cannot be read.
   */
  List<InputSplit> splits(List<String> inputPaths, Configuration conf) throws IOException;

  /** Opens a reader over one split produced by {@link #splits}. */
  RecordReader<K, V> open(InputSplit split, Configuration conf) throws IOException;
}
