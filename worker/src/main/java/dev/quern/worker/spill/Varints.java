package dev.quern.worker.spill;

/** Unsigned LEB128 varints of non-negative ints (1 to 5 bytes). */
public final class Varints {
  private Varints() {}

  /** Writes {@code v} at {@code at}; returns the position after it. */
  public static int put(byte[] b, int at, int v) {
    while ((v & ~0x7f) != 0) {
      b[at++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    b[at++] = (byte) v;
    return at;
  }

  public static int size(int v) {
    int n = 1;
    while ((v & ~0x7f) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }
}
