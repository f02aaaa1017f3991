package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.fs.PositionalFile;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the 100-byte records of a split: records start at multiples of 100 in the file, and a
 * record belongs to the split holding its first byte. A file whose length is not a multiple of
 * 100 fails, naming the file and the offset of the partial record. Subclasses say what key and
 * value a record gives: {@link #onRecord} sees each record as it is read, {@link #record()} holds
 * the last one (the same array, refilled by every {@link #next}).
 */
abstract class TeraRecordReader<K, V> implements RecordReader<K, V> {
  // Whole records are cut out of large channel reads: a BufferedInputStream took a lock and a
  // few calls per 100-byte record.
  private static final int CHUNK = 1 << 20;

  private final FileSplit split;
  private final byte[] record = new byte[TeraRecords.RECORD_LENGTH];
  private final PositionalFile ch;
  private final byte[] chunk = new byte[CHUNK];
  private final ByteBuffer chunkBuf = ByteBuffer.wrap(chunk);
  private int chunkPos;
  private int chunkLen;
  private long readAt;
  private final long end;
  private long pos;

  TeraRecordReader(FileSplit split, Configuration conf) throws IOException {
    this.split = split;
    // A local file is read through its FileChannel as before; hdfs:// through a stream.
    this.ch = PositionalFile.open(split.path(), conf);
    try {
      long size = ch.size();
      long first = (split.start() + TeraRecords.RECORD_LENGTH - 1) / TeraRecords.RECORD_LENGTH
          * TeraRecords.RECORD_LENGTH;
      this.pos = first;
      this.readAt = first;
      this.end = Math.min(split.end(), size);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Reads the next record; false at the end of the split. */
  @Override
  public final boolean next() throws IOException {
    if (pos >= end) {
      return false;
    }
    if (chunkLen - chunkPos < TeraRecords.RECORD_LENGTH && !fill()) {
      throw new IOException("file " + split.path() + " ends inside a record at offset " + pos
          + ": its length is not a multiple of " + TeraRecords.RECORD_LENGTH + " bytes");
    }
    System.arraycopy(chunk, chunkPos, record, 0, TeraRecords.RECORD_LENGTH);
    chunkPos += TeraRecords.RECORD_LENGTH;
    pos += TeraRecords.RECORD_LENGTH;
    onRecord(record);
    return true;
  }

  /** Moves the unread bytes to the front and reads more; false if no whole record is left. */
  private boolean fill() throws IOException {
    int left = chunkLen - chunkPos;
    System.arraycopy(chunk, chunkPos, chunk, 0, left);
    chunkPos = 0;
    chunkLen = left;
    while (chunkLen < TeraRecords.RECORD_LENGTH) {
      chunkBuf.clear().position(chunkLen);
      int n = ch.read(chunkBuf, readAt);
      if (n <= 0) {
        return false;
      }
      readAt += n;
      chunkLen += n;
    }
    return true;
  }

  /** Called with each record read, before {@link #next} returns; does nothing by default. */
  protected void onRecord(byte[] record) {}

  /** The record read last. */
  protected final byte[] record() {
    return record;
  }

  /** Offset of the record returned last. */
  long lastOffset() {
    return pos - TeraRecords.RECORD_LENGTH;
  }

  @Override
  public float progress() {
    long len = Math.max(1, split.length());
    return Math.min(1f, Math.max(0, pos - split.start()) / (float) len);
  }

  @Override
  public long bytesRead() {
    return Math.max(0, pos - split.start());
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
