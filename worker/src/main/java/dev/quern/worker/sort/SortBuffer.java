package dev.quern.worker.sort;

import dev.quern.worker.spill.RecordStream;
import java.util.Arrays;

/**
 * The map side's sort buffer: serialized records appended to one byte array, described by an int
 * array (partition, key offset, key length, value length, first 8 key bytes; the value follows
 * the key). Sorting orders an array of record ids by (partition, key) without an object per
 * record. The budget covers the bytes, the metadata and the sort's two id arrays (32 bytes per
 * record).
 */
public final class SortBuffer {
  private static final int STRIDE = 6;
  private static final int PART = 0;
  private static final int KOFF = 1;
  private static final int KLEN = 2;
  private static final int VLEN = 3;
  // The key's first 8 bytes, big-endian, zero-padded: decides most byte-order comparisons
  // without touching the key bytes.
  private static final int PREFIX_HI = 4;
  private static final int PREFIX_LO = 5;
  /** Bytes of bookkeeping per record: metadata plus the sort's id and scratch arrays. */
  public static final int RECORD_OVERHEAD = STRIDE * 4 + 8;

  private final long budget;
  private byte[] data;
  private int used;
  private int[] meta;
  private int count;
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private int[] partitionStart;

  public SortBuffer(long budget) {
    this.budget = budget;
    int initial = (int) Math.min(budget / 2, 1 << 20);
    this.data = new byte[Math.max(initial, 256)];
    this.meta = new int[STRIDE * 1024];
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
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (i < kl ? k[i] & 0xff : 0);
    }
    meta[m + PREFIX_HI] = (int) (prefix >>> 32);
    meta[m + PREFIX_LO] = (int) prefix;
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
    if (ids.length < count) {
      ids = new int[count];
      tmp = new int[count];
    }
    // Bucket by partition (counting sort), then sort each partition's ids by key.
    partitionStart = new int[partitions + 1];
    for (int i = 0; i < count; i++) {
      partitionStart[meta[i * STRIDE + PART] + 1]++;
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int i = 0; i < count; i++) {
      ids[fill[meta[i * STRIDE + PART]]++] = i;
    }
    final byte[] d = data;
    final int[] md = meta;
    IndexSorter.IdComparator byKey = order.bytesEqualMeansEqual() ? (a, b) -> {
      int ma = a * STRIDE;
      int mb = b * STRIDE;
      int c = Integer.compareUnsigned(md[ma + PREFIX_HI], md[mb + PREFIX_HI]);
      if (c == 0) {
        c = Integer.compareUnsigned(md[ma + PREFIX_LO], md[mb + PREFIX_LO]);
      }
      if (c != 0) {
        return c;
      }
      int la = md[ma + KLEN];
      int lb = md[mb + KLEN];
      if (la <= 8 || lb <= 8) {
        // Equal padded prefixes: the shorter key is a prefix of the longer one.
        return Integer.compare(la, lb);
      }
      int oa = md[ma + KOFF];
      int ob = md[mb + KOFF];
      return Arrays.compareUnsigned(d, oa + 8, oa + la, d, ob + 8, ob + lb);
    } : (a, b) -> {
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
      private int i = from - 1;
      private int m;

      @Override
      public boolean next() {
        if (++i >= to) {
          return false;
        }
        m = ids[i] * STRIDE;
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
