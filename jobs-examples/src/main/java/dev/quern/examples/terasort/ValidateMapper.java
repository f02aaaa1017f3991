package dev.quern.examples.terasort;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Checks the order of the keys along one file and sums the records' CRC32s. Emits, as Hadoop's
 * TeraValidate: {@code FILE:begin} and {@code FILE:end} with the first and last key (hex), {@code
 * checksum} with the file's sum (hex), and {@code error} for the first misorders in the file.
 */
public class ValidateMapper implements Mapper<String, byte[], String, String> {
  static final String CHECKSUM = "checksum";
  static final String ERROR = "error";
  private static final int MAX_ERRORS_PER_FILE = 10;

  private final CRC32 crc = new CRC32();
  private final Uint128 checksum = new Uint128(0, 0);
  private final byte[] lastKey = new byte[TeraRecords.KEY_LENGTH];
  private String file;
  private long records;
  private long misorders;

  @Override
  public void map(String fileName, byte[] record, Context<String, String> context) {
    if (file == null) {
      file = fileName;
      context.emit(file + ":begin", TeraRecords.hex(Arrays.copyOf(record,
          TeraRecords.KEY_LENGTH)));
    } else if (Arrays.compareUnsigned(record, 0, TeraRecords.KEY_LENGTH, lastKey, 0,
        TeraRecords.KEY_LENGTH) < 0) {
      misorders++;
      if (misorders <= MAX_ERRORS_PER_FILE) {
        context.emit(ERROR, "misorder in " + file + " at offset "
            + records * TeraRecords.RECORD_LENGTH + ": key "
            + TeraRecords.hex(Arrays.copyOf(record, TeraRecords.KEY_LENGTH))
            + " follows the greater key " + TeraRecords.hex(lastKey));
      }
      context.counter("teravalidate", "misordered-records").increment(1);
    }
    crc.reset();
    crc.update(record, 0, TeraRecords.RECORD_LENGTH);
    checksum.add(crc.getValue());
    System.arraycopy(record, 0, lastKey, 0, TeraRecords.KEY_LENGTH);
    records++;
  }

  @Override
  public void cleanup(Context<String, String> context) {
    if (file != null) {
      context.emit(file + ":end", TeraRecords.hex(lastKey));
      context.emit(CHECKSUM, checksum.toString());
    }
  }
}
