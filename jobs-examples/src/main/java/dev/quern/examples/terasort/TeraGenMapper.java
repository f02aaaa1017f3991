package dev.quern.examples.terasort;

import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.api.Mapper;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Generates the record of each row number: key = the first 10 bytes, value = the other 90. Adds
 * the sum of the records' CRC32s to counter {@code terasort/checksum} (low 64 bits, as Hadoop).
 */
public class TeraGenMapper implements Mapper<Long, Void, byte[], byte[]> {
  private final byte[] record = new byte[TeraRecords.RECORD_LENGTH];
  private final CRC32 crc = new CRC32();
  private Uint128 rand;
  private Uint128 rowId;
  private long checksum;
  private Counter checksumCounter;

  @Override
  public void setup(Context<byte[], byte[]> context) {
    checksumCounter = context.counter("terasort", "checksum");
  }

  @Override
  public void map(Long row, Void ignored, Context<byte[], byte[]> context) {
    if (rand == null || rowId.lo != row || rowId.hi != 0) {
      rowId = new Uint128(0, row);
      rand = Random16.skipAhead(rowId);
    }
    Random16.nextRand(rand);
    GenSort.generateRecord(record, rand, rowId);
    crc.reset();
    crc.update(record, 0, record.length);
    checksum += crc.getValue();
    context.emit(Arrays.copyOfRange(record, 0, TeraRecords.KEY_LENGTH),
        Arrays.copyOfRange(record, TeraRecords.KEY_LENGTH, TeraRecords.RECORD_LENGTH));
    rowId.add(1);
  }

  @Override
  public void cleanup(Context<byte[], byte[]> context) {
    checksumCounter.increment(checksum);
  }
}
