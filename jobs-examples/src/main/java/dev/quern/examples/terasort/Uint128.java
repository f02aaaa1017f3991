package dev.quern.examples.terasort;

/**
 * A mutable unsigned 128-bit integer with arithmetic modulo 2^128: the state of TeraGen's random
 * generator and the row number printed into each record.
 */
final class Uint128 {
  long hi;
  long lo;

  Uint128(long hi, long lo) {
    this.hi = hi;
    this.lo = lo;
  }

  Uint128(Uint128 other) {
    this(other.hi, other.lo);
  }

  static Uint128 ofHex(String hex) {
    if (hex.length() > 32) {
      throw new IllegalArgumentException("more than 128 bits: " + hex);
    }
    String padded = "0".repeat(32 - hex.length()) + hex;
    return new Uint128(Long.parseUnsignedLong(padded.substring(0, 16), 16),
        Long.parseUnsignedLong(padded.substring(16), 16));
  }

  /** this = this * b mod 2^128. */
  void multiply(Uint128 b) {
    long carry = Math.multiplyHigh(lo, b.lo) + ((lo >> 63) & b.lo) + ((b.lo >> 63) & lo);
    long newHi = carry + lo * b.hi + hi * b.lo;
    lo = lo * b.lo;
    hi = newHi;
  }

  /** this = this + b mod 2^128. */
  void add(Uint128 b) {
    long sum = lo + b.lo;
    hi = hi + b.hi + (Long.compareUnsigned(sum, lo) < 0 ? 1 : 0);
    lo = sum;
  }

  void add(long unsignedSmall) {
    add(new Uint128(0, unsignedSmall));
  }

  /** Byte {@code i}, 0 being the most significant. */
  byte getByte(int i) {
    return i < 8 ? (byte) (hi >>> (56 - 8 * i)) : (byte) (lo >>> (120 - 8 * i));
  }

  /** Hex digit {@code i} as an upper-case ASCII character, 0 being the most significant. */
  byte hexDigit(int i) {
    int b = getByte(i / 2) & 0xff;
    int d = (i % 2 == 0) ? b >>> 4 : b & 0xf;
    return (byte) (d < 10 ? '0' + d : 'A' + d - 10);
  }

  /** Lower-case hex without leading zeros, as Hadoop's {@code Unsigned16.toString()}. */
  @Override
  public String toString() {
    if (hi == 0) {
      return Long.toHexString(lo);
    }
    String low = Long.toHexString(lo);
    return Long.toHexString(hi) + "0".repeat(16 - low.length()) + low;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Uint128 u && u.hi == hi && u.lo == lo;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hi) * 31 + Long.hashCode(lo);
  }
}
