package dev.quern.worker.spill;

import java.io.Closeable;
import java.io.IOException;

/**
 * A cursor over serialized records (key bytes, value bytes or null). After {@link #next} returns
 * true, the accessors describe the current record; the arrays may be reused by the next call.
 */
public interface RecordStream extends Closeable {

  boolean next() throws IOException;

  byte[] keyBuf();

  int keyOff();

  int keyLen();

  byte[] valBuf();

  int valOff();

  /** Length of the current value's bytes, or -1 for a null value. */
  int valLen();

  @Override
  default void close() throws IOException {}
}
