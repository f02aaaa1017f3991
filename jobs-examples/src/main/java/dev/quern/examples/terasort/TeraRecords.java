package dev.quern.examples.terasort;

import java.util.HexFormat;

/** Sizes of the sort benchmark's records and key helpers. */
final class TeraRecords {
  private TeraRecords() {}

  static final int KEY_LENGTH = 10;
  static final int VALUE_LENGTH = 90;
  static final int RECORD_LENGTH = KEY_LENGTH + VALUE_LENGTH;

  static String hex(byte[] key) {
    return HexFormat.of().formatHex(key);
  }

  static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
