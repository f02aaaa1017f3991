package dev.quern.api;

import java.util.Locale;

/**
 * Parses byte sizes in configuration: a plain number of bytes, or a number with a {@code k},
 * {@code m} or {@code g} suffix (powers of 1024).
 *
 * <pre>{@code
 * long bytes = Sizes.parse("quern.input.split-size", "64m"); // 67108864
 * }</pre>
 */
public final class Sizes {
  private Sizes() {}

  public static long parse(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    long unit = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        default -> unit = 1;
      }
      if (unit != 1) {
        t = t.substring(0, t.length() - 1).trim();
      }
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "configuration entry '" + key + "' is not a size (like 65536, 64k, 64m, 1g): '"
              + text + "'");
    }
  }

  /** The size under {@code key}, or {@code defaultValue} when absent. */
  public static long get(Configuration conf, String key, long defaultValue) {
    String v = conf.get(key);
    return v == null ? defaultValue : parse(key, v);
  }
}
