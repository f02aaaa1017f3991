package dev.quern.worker.map;

import dev.quern.worker.runner.DataPathConfig;

/**
 * A mapper emitted a record whose serialized size exceeds {@code quern.map.max-record-size}. The
 * map attempt fails with it; the engine adds the input file and the record's position, so the
 * line reads e.g. {@code input /data/big.txt bytes 0-300000000, line at byte 1024: map output
 * key of more than 134217728 bytes exceeds quern.map.max-record-size=134217728: raise it
 * (-Dquern.map.max-record-size=SIZE), and the heap with it (...)}.
 */
public final class RecordTooLargeException extends IllegalArgumentException {
  private RecordTooLargeException(String what, long limit) {
    super(what + " exceeds " + DataPathConfig.MAX_RECORD_SIZE + "=" + limit + ": raise it (-D"
        + DataPathConfig.MAX_RECORD_SIZE + "=SIZE), and the heap with it (QUERN_JAVA_OPTS=-Xmx..."
        + "; a record takes a few times its size in memory)");
  }

  /** The key or the value alone outgrew the limit while it was serialized. */
  static RecordTooLargeException part(String part, long limit) {
    return new RecordTooLargeException("map output " + part + " of more than " + limit + " bytes",
        limit);
  }

  /** Key and value serialized, together over the limit. */
  static RecordTooLargeException record(long keyBytes, long valueBytes, long limit) {
    return new RecordTooLargeException("map output record of " + (keyBytes + valueBytes)
        + " bytes (key " + keyBytes + ", value " + valueBytes + ")", limit);
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
