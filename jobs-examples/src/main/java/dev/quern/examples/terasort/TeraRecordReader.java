package dev.quern.examples.terasort;

import dev.quern.api.io.FileSplit;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the 100-byte records of a split: records start at multiples of 100 in the file, and a
 * record belongs to the split holding its first byte. A file whose length is not a multiple of
 * 100 fails, naming the file and the offset of the partial record.
 */
final class TeraRecordReader {
  private final FileSplit split;
  private final InputStream in;
  private final long end;
  private long pos;

  TeraRecordReader(FileSplit split) throws IOException {
    this.split = split;
    FileChannel ch = FileChannel.open(Path.of(split.path()), StandardOpenOption.READ);
    try {
      long size = ch.size();
      long first = (split.start() + TeraRecords.RECORD_LENGTH - 1) / TeraRecords.RECORD_LENGTH
          * TeraRecords.RECORD_LENGTH;
      this.pos = first;
      this.end = Math.min(split.end(), size);
      ch.position(first);
      this.in = new BufferedInputStream(Channels.newInputStream(ch), 256 * 1024);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Fills {@code record} with the next record; false at the end of the split. */
  boolean next(byte[] record) throws IOException {
    if (pos >= end) {
      return false;
    }
    int n = in.readNBytes(record, 0, TeraRecords.RECORD_LENGTH);
    if (n != TeraRecords.RECORD_LENGTH) {
      throw new IOException("file " + split.path() + " ends inside a record at offset " + pos
          + ": its length is not a multiple of " + TeraRecords.RECORD_LENGTH + " bytes");
    }
    pos += TeraRecords.RECORD_LENGTH;
    return true;
  }

  /** Offset of the record returned last. */
  long lastOffset() {
    return pos - TeraRecords.RECORD_LENGTH;
  }

  float progress() {
    long len = Math.max(1, split.length());
    return Math.min(1f, Math.max(0, pos - split.start()) / (float) len);
  }

  long bytesRead() {
    return Math.max(0, pos - split.start());
  }

  void close() throws IOException {
    in.close();
  }
}
