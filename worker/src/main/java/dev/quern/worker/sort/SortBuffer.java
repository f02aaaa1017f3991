package dev.quern.worker.sort;

import dev.quern.worker.spill.RecordStream;
import java.util.Arrays;

/**
 * The map side's sort buffer: serialized records appended to one byte array, described by an int
 * array (partition, key offset, key length, value length; the value follows the key). Sorting
 * orders the records by (partition, key) without an object per record. The budget covers the
 * bytes, the metadata and the sort's two arrays (32 bytes per record).
 *
 * <p>Under unsigned byte order each record becomes one long: partition, then as many leading key
 * bits as fit, then the record id; a radix sort of those longs ({@link PackedKeySort}) orders
 * almost everything, and only runs of equal packed prefixes are compared byte by byte. Other
 * orders merge-sort record ids with the key comparator ({@link IndexSorter}).
 */
public final class SortBuffer {
  private static final int STRIDE = 4;
  private static final int PART = 0;
  private static final int KOFF = 1;
  private static final int KLEN = 2;
  private static final int VLEN = 3;
  private static final int TOUCH_NEAR = 8;
  private static final int TOUCH_FAR = 16;
  /** Bytes of bookkeeping per record: metadata plus the sort's two 8-byte arrays. */
  public static final int RECORD_OVERHEAD = STRIDE * 4 + 16;

  private final long budget;
  private byte[] data;
  private int used;
  private int[] meta;
  private int count;
  // The sorted order: record ids (comparator sort), or packed longs whose low idBits bits are
  // the ids (radix sort).
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private long[] packed = new long[0];
  private long[] packedTmp = new long[0];
  private boolean radix;
  private int idBits;
  private int[] partitionStart;

  public SortBuffer(long budget) {
    this.budget = budget;
    SortArrays reused = SortArrays.take(budget);
    if (reused != null) {
      data = reused.data;
      meta = reused.meta;
      packed = reused.packed;
      packedTmp = reused.packedTmp;
    } else {
      int initial = (int) Math.min(budget / 2, 1 << 20);
      this.data = new byte[Math.max(initial, 256)];
      this.meta = new int[STRIDE * 1024];
    }
  }

  /**
   * Hands the arrays to the next sort buffer of this process; this buffer must not be used
   * afterwards.
   */
  public void release() {
    if (data == null) {
      return;
    }
    SortArrays.give(new SortArrays(data, meta, packed, packedTmp));
    data = null;
    meta = null;
    packed = null;
    packedTmp = null;
    ids = null;
    tmp = null;
    count = 0;
    used = 0;
    partitionStart = null;
  }

  public int count() {
    return count;
  }

  public long bytesUsed() {
    return used;
  }

  /** True when a record of {@code bytes} serialized bytes fits in an empty buffer. */
  public boolean fitsEmpty(int bytes) {
    return bytes + (long) RECORD_OVERHEAD <= budget;
  }

  /**
   * Appends a record; returns false (and adds nothing) when the buffer's budget is used up. A
   * value length of -1 stores a null value.
   */
  public boolean add(int partition, byte[] k, int kl, byte[] v, int vl) {
    int body = kl + Math.max(vl, 0);
    long after = used + (long) body + (long) (count + 1) * RECORD_OVERHEAD;
    if (after > budget) {
      return false;
    }
    if (used + body > data.length) {
      long want = Math.max((long) data.length * 2, (long) used + body);
      long cap = budget - (long) (count + 1) * RECORD_OVERHEAD;
      data = Arrays.copyOf(data, (int) Math.min(want, Math.max(cap, used + body)));
    }
    if ((count + 1) * STRIDE > meta.length) {
      meta = Arrays.copyOf(meta, meta.length * 2);
    }
    int m = count * STRIDE;
    meta[m + PART] = partition;
    meta[m + KOFF] = used;
    meta[m + KLEN] = kl;
    meta[m + VLEN] = vl;
    System.arraycopy(k, 0, data, used, kl);
    used += kl;
    if (vl > 0) {
      System.arraycopy(v, 0, data, used, vl);
      used += vl;
    }
    count++;
    return true;
  }

  /** Sorts the records by (partition, key); then {@link #partition} streams each partition. */
  public void sort(KeyOrder order, int partitions) {
    partitionStart = new int[partitions + 1];
    for (int i = 0; i < count; i++) {
      partitionStart[meta[i * STRIDE + PART] + 1]++;
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    radix = order.bytesEqualMeansEqual();
    if (radix) {
      sortPacked(partitions);
    } else {
      sortByComparator(order, partitions);
    }
  }

  private void sortPacked(int partitions) {
    if (packed.length < count) {
      packed = new long[count];
      packedTmp = new long[count];
    }
    idBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(count - 1));
    int partBits = partitions <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(partitions - 1);
    // At least 2: ids and partitions each take at most 31 bits.
    int prefixBits = 64 - idBits - partBits;
    final byte[] d = data;
    final int[] md = meta;
    for (int i = 0; i < count; i++) {
      int m = i * STRIDE;
      long key = prefix(d, md[m + KOFF], md[m + KLEN]) >>> (64 - prefixBits) << idBits;
      if (partBits > 0) {
        key |= (long) md[m + PART] << (64 - partBits);
      }
      packed[i] = key | i;
    }
    PackedKeySort.sort(packed, packedTmp, count, idBits);
    breakTies();
  }

  /** The key's first 8 bytes, big-endian, zero-padded. */
  private static long prefix(byte[] d, int off, int len) {
    long p = 0;
    int n = Math.min(len, 8);
    for (int i = 0; i < n; i++) {
      p = (p << 8) | (d[off + i] & 0xff);
    }
    return p << ((8 - n) * 8);
  }

  /**
   * Records whose packed prefixes are equal sit together, in id order; each such run is sorted by
   * the whole key (stably, so equal keys keep the order they were added in).
   */
  private void breakTies() {
    long idMask = (1L << idBits) - 1;
    final byte[] d = data;
    final int[] md = meta;
    IndexSorter.IdComparator byKey = (a, b) -> {
      int ma = a * STRIDE;
      int mb = b * STRIDE;
      int oa = md[ma + KOFF];
      int ob = md[mb + KOFF];
      return Arrays.compareUnsigned(d, oa, oa + md[ma + KLEN], d, ob, ob + md[mb + KLEN]);
    };
    int i = 0;
    while (i < count) {
      long high = packed[i] & ~idMask;
      int j = i + 1;
      while (j < count && (packed[j] & ~idMask) == high) {
        j++;
      }
      if (j - i > 1) {
        int n = j - i;
        if (ids.length < n) {
          ids = new int[n];
          tmp = new int[n];
        }
        for (int k = 0; k < n; k++) {
          ids[k] = (int) (packed[i + k] & idMask);
        }
        IndexSorter.sort(ids, tmp, 0, n, byKey);
        for (int k = 0; k < n; k++) {
          packed[i + k] = high | ids[k];
        }
      }
      i = j;
    }
  }

  private void sortByComparator(KeyOrder order, int partitions) {
    if (ids.length < count) {
      ids = new int[count];
      tmp = new int[count];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int i = 0; i < count; i++) {
      ids[fill[meta[i * STRIDE + PART]]++] = i;
    }
    final byte[] d = data;
    final int[] md = meta;
    IndexSorter.IdComparator byKey = (a, b) -> {
      int ma = a * STRIDE;
      int mb = b * STRIDE;
      return order.compare(d, md[ma + KOFF], md[ma + KLEN], d, md[mb + KOFF], md[mb + KLEN]);
    };
    for (int p = 0; p < partitions; p++) {
      IndexSorter.sort(ids, tmp, partitionStart[p], partitionStart[p + 1], byKey);
    }
  }

  /** The sorted records of partition {@code p}; valid until the buffer is reset. */
  public RecordStream partition(int p) {
    int from = partitionStart[p];
    int to = partitionStart[p + 1];
    return new RecordStream() {
      private final long idMask = (1L << idBits) - 1;
      private int i = from - 1;
      private int m;
      private int touched;

      private int meta(int at) {
        return (radix ? (int) (packed[at] & idMask) : ids[at]) * STRIDE;
      }

      @Override
      public boolean next() {
        if (++i >= to) {
          return false;
        }
        m = meta(i);
        // Sorted records lie at random places: load the metadata of a record a few places ahead,
        // and the first bytes of a nearer one, so their cache misses overlap with this copy
        // instead of each stalling the next().
        if (i + TOUCH_FAR < to) {
          touched += meta[meta(i + TOUCH_FAR)];
        }
        if (i + TOUCH_NEAR < to) {
          int ahead = meta[meta(i + TOUCH_NEAR) + KOFF];
          touched += data[ahead] + data[Math.min(ahead + 64, data.length - 1)];
        }
        return true;
      }

      @Override
      public byte[] keyBuf() {
        return data;
      }

      @Override
      public int keyOff() {
        return meta[m + KOFF];
      }

      @Override
      public int keyLen() {
        return meta[m + KLEN];
      }

      @Override
      public byte[] valBuf() {
        return data;
      }

      @Override
      public int valOff() {
        return meta[m + KOFF] + meta[m + KLEN];
      }

      @Override
      public int valLen() {
        return meta[m + VLEN];
      }
    };
  }

  public void reset() {
    used = 0;
    count = 0;
    partitionStart = null;
  }
}
