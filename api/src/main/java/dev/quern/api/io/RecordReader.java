package dev.quern.api.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * Iterates the records of one split: call {@link #next}, then read {@link #key} and {@link
 * #value}.
 *
 * <pre>{@code
 * while (reader.next()) mapper.map(reader.key(), reader.value(), ctx);
 * }</pre>
 */
public interface RecordReader<K, V> extends Closeable {

  /** Advances to the next record; false at the end of the split. */
  boolean next() throws IOException;

  K key();

  V value();

  /** Fraction of the split consumed, 0 to 1. */
  float progress();

  /** Bytes of the input consumed so far (for the MAP_INPUT_BYTES counter). */
  long bytesRead();

  /**
   * Where in the split the reader is, for error messages: the record just read, or the one being
   * read when {@link #next} threw (e.g. {@code line at byte 1234}); null when it cannot say.
   */
  default String position() {
    return null;
  }

  /**
   * Records read so far whose bytes did not decode cleanly in the input's charset (read with
   * replacement characters), for the {@code MALFORMED_INPUT_RECORDS} counter.
   */
  default long malformedRecords() {
    return 0;
  }
}
