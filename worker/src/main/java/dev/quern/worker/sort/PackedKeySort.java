package dev.quern.worker.sort;

/**
 * A stable LSD radix sort of longs by their bits from {@code lowBit} up, read as unsigned. Callers
 * pack a sort key into the high bits and a record id into the low bits; ids that come in
 * ascending order leave equal keys in id order, so the low bits need no pass of their own.
 *
 * <p>Why: the sort buffer's merge sort over ids spent most of its time on cache misses, fetching
 * each record's prefix through its id; here every pass streams through two arrays.
 */
public final class PackedKeySort {
  private static final int DIGIT_BITS = 8;
  private static final int RADIX = 1 << DIGIT_BITS;

  private PackedKeySort() {}

  /**
   * Sorts {@code a[0, n)} by bits {@code [lowBit, 64)}, stably; {@code tmp} must hold at least
   * {@code n} elements. Digits in which all elements agree are skipped.
   */
  public static void sort(long[] a, long[] tmp, int n, int lowBit) {
    if (n < 2 || lowBit >= 64) {
      return;
    }
    int digits = (64 - lowBit + DIGIT_BITS - 1) / DIGIT_BITS;
    int[][] counts = new int[digits][RADIX];
    for (int i = 0; i < n; i++) {
      long v = a[i];
      for (int d = 0; d < digits; d++) {
        counts[d][(int) (v >>> (lowBit + d * DIGIT_BITS)) & (RADIX - 1)]++;
      }
    }
    long[] src = a;
    long[] dst = tmp;
    for (int d = 0; d < digits; d++) {
      int[] c = counts[d];
      int shift = lowBit + d * DIGIT_BITS;
      if (c[(int) (src[0] >>> shift) & (RADIX - 1)] == n) {
        continue;
      }
      int sum = 0;
      for (int b = 0; b < RADIX; b++) {
        int k = c[b];
        c[b] = sum;
        sum += k;
      }
      for (int i = 0; i < n; i++) {
        long v = src[i];
        dst[c[(int) (v >>> shift) & (RADIX - 1)]++] = v;
      }
      long[] t = src;
      src = dst;
      dst = t;
    }
    if (src != a) {
      System.arraycopy(src, 0, a, 0, n);
    }
  }
}
