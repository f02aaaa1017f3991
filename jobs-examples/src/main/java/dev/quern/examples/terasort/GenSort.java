package dev.quern.examples.terasort;

/** Lays out one 100-byte gensort "binary" record, byte for byte as gensort and Hadoop do. */
final class GenSort {
  private GenSort() {}

  /**
   * Fills {@code record[0..100)} for the row {@code rowId} whose generator state is {@code rand}:
   * 10 key bytes (the state's high bytes), 00 11, the row id as 32 upper-case hex digits, 88 99
   * AA BB, 48 filler bytes (each of the state's low 12 hex digits four times), CC DD EE FF.
   */
  static void generateRecord(byte[] record, Uint128 rand, Uint128 rowId) {
    for (int i = 0; i < 10; i++) {
      record[i] = rand.getByte(i);
    }
    record[10] = 0x00;
    record[11] = 0x11;
    for (int i = 0; i < 32; i++) {
      record[12 + i] = rowId.hexDigit(i);
    }
    record[44] = (byte) 0x88;
    record[45] = (byte) 0x99;
    record[46] = (byte) 0xAA;
    record[47] = (byte) 0xBB;
    for (int i = 0; i < 12; i++) {
      byte d = rand.hexDigit(20 + i);
      record[48 + i * 4] = d;
      record[49 + i * 4] = d;
      record[50 + i * 4] = d;
      record[51 + i * 4] = d;
    }
    record[96] = (byte) 0xCC;
    record[97] = (byte) 0xDD;
    record[98] = (byte) 0xEE;
    record[99] = (byte) 0xFF;
  }
}
