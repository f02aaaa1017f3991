package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.util.Arrays;

/** Reads gensort files: key = the record's first 10 bytes, value = the other 90. */
public class TeraInputFormat extends FileInputFormat<byte[], byte[]> {

  @Override
  public RecordReader<byte[], byte[]> open(InputSplit split, Configuration conf)
      throws IOException {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException("TeraInputFormat reads FileSplits, got " + split);
    }
    TeraRecordReader reader = new TeraRecordReader(fs);
    byte[] record = new byte[TeraRecords.RECORD_LENGTH];
    return new RecordReader<>() {
      private byte[] key;
      private byte[] value;

      @Override
      public boolean next() throws IOException {
        if (!reader.next(record)) {
          return false;
        }
        key = Arrays.copyOfRange(record, 0, TeraRecords.KEY_LENGTH);
        value = Arrays.copyOfRange(record, TeraRecords.KEY_LENGTH, TeraRecords.RECORD_LENGTH);
        return true;
      }

      @Override
      public byte[] key() {
        return key;
      }

      @Override
      public byte[] value() {
        return value;
      }

      @Override
      public float progress() {
        return reader.progress();
      }

      @Override
      public long bytesRead() {
        return reader.bytesRead();
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }
}
