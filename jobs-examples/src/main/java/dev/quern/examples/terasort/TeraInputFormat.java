package dev.quern.examples.terasort;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.util.Arrays;

/** Reads gensort files: key = the record's first 10 bytes, value = the other 90. */
public class TeraInputFormat extends FileInputFormat<byte[], byte[]> {

  @Override
  public RecordReader<byte[], byte[]> open(InputSplit split, Configuration conf)
      throws IOException {
    return new TeraRecordReader<>(fileSplit(split), conf) {
      private byte[] key;
      private byte[] value;

      @Override
      protected void onRecord(byte[] record) {
        key = Arrays.copyOfRange(record, 0, TeraRecords.KEY_LENGTH);
        value = Arrays.copyOfRange(record, TeraRecords.KEY_LENGTH, TeraRecords.RECORD_LENGTH);
      }

      @Override
      public byte[] key() {
        return key;
      }

      @Override
      public byte[] value() {
        return value;
      }
    };
  }
}
