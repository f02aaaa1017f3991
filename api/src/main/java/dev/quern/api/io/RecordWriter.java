package dev.quern.api.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * Writes the records of one task's output file; {@link #close} flushes and makes it complete.
 *
 * <pre>{@code
 * writer.write(word, count);
 * }</pre>
 */
public interface RecordWriter<K, V> extends Closeable {

  void write(K key, V value) throws IOException;

  /** Bytes written so far (for the OUTPUT_BYTES counter). */
  long bytesWritten();
}
