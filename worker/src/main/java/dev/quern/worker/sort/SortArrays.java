package dev.quern.worker.sort;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;

/**
 * The grown arrays of finished sort buffers, kept for the next map task on this worker. A map
 * task grows its buffer by doubling up to the budget; without this, every task of a job copies
 * and zeroes its way up to the same size again. Held softly and at most {@value #MAX} sets, so an
 * idle worker gives the memory back when the heap needs it.
 */
final class SortArrays {
  private static final int MAX = 4;
  private static final ArrayDeque<SoftReference<SortArrays>> FREE = new ArrayDeque<>();

  final byte[] data;
  final int[] meta;
  final long[] packed;
  final long[] packedTmp;

  SortArrays(byte[] data, int[] meta, long[] packed, long[] packedTmp) {
    this.data = data;
    this.meta = meta;
    this.packed = packed;
    this.packedTmp = packedTmp;
  }

  /** A released set whose data array fits {@code budget}, or null. */
  static synchronized SortArrays take(long budget) {
    while (!FREE.isEmpty()) {
      SortArrays a = FREE.pop().get();
      if (a != null && a.data.length <= budget) {
        return a;
      }
    }
    return null;
  }

  static synchronized void give(SortArrays a) {
    if (FREE.size() < MAX) {
      FREE.push(new SoftReference<>(a));
    }
  }
}
