package dev.quern.worker.sort;

import dev.quern.worker.spill.RecordStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The sort buffer of a job with a combiner: a hash table keeps each distinct key's bytes once,
 * with the values of that key packed together in a block of their own. The sort then
 * orders distinct keys only, and the collector folds a key's values through the combiner when they
 * pile up (a folded key's block is reused, so folding bounds memory by the number of distinct
 * keys).
 *
 * <p>Adding a value is memory-latency bound. The open-addressing index holds 4 bytes per slot
 * (the key's id), so it stays in the CPU cache; everything an add needs then sits in one 32-byte
 * entry per key (key length, first 8 key bytes, key offset, value block, value count; keys of up
 * to 8 bytes never touch the key bytes). Entries are dense in order of first appearance, so the
 * frequent keys of skewed data, which appear early, share cache lines. A key's values are
 * contiguous: reading them back for a fold walks one short block instead of chasing a chain of
 * nodes scattered over the buffer. A block grows by doubling (in place when it is the last one);
 * the space it leaves behind counts against the budget until the next spill.
 *
 * <p>A key handle (what {@link #add} returns) is the key's id: valid until {@link #reset}.
 *
 * <p>Memory budget: key bytes (plus 4 for the key's partition), value blocks (each value prefixed by its length, 1 byte for values
 * under 127 bytes), the index (4 bytes per slot, at most half full), 32 bytes per entry and 8
 * bytes per distinct key
 * for the sort.
 */
public final class HashSortBuffer {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final long MIX = 0x9E3779B97F4A7C15L;

  // Table entry.
  private static final int T = 8;
  private static final int T_KLEN1 = 0; // key length + 1; 0 = empty slot
  private static final int T_P0 = 1; // first 8 key bytes, little-endian, zero-padded
  private static final int T_P1 = 2;
  private static final int T_KOFF = 3; // the key's partition is the int before its bytes
  private static final int T_VOFF = 4;
  private static final int T_VUSED = 5;
  private static final int T_VCAP = 6;
  private static final int T_COUNT = 7;
  private static final int SORT_COST = 8;
  private static final int MIN_SLOTS = 64;

  private final long budget;
  private byte[] keyData;
  private int keyUsed;
  private byte[] valData;
  private int valUsed;
  private int[] index = new int[MIN_SLOTS];
  private int[] table = new int[T * MIN_SLOTS / 2];
  private int keys;
  private int values;
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private int[] partitionStart;

  public HashSortBuffer(long budget) {
    this.budget = budget;
    this.keyData = new byte[(int) Math.max(256, Math.min(budget / 4, 256 << 10))];
    this.valData = new byte[(int) Math.max(256, Math.min(budget / 4, 256 << 10))];
  }

  /** Values held (not distinct keys). */
  public int count() {
    return values;
  }

  public int distinctKeys() {
    return keys;
  }

  public long bytesUsed() {
    return keyUsed + valUsed;
  }

  private long footprint() {
    return (long) keyUsed + valUsed + (long) index.length * 4 + (long) table.length * 4
        + (long) keys * SORT_COST;
  }

  /**
   * A hash of the key bytes, 8 bytes at a step, with murmur3's 64-bit finalizer: linear probing
   * needs every bit of the slot index well mixed, or similar keys pile into long clusters.
   */
  public static int hash(byte[] k, int off, int len) {
    long h = len * MIX;
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      h = Long.rotateLeft((h ^ (long) LONG_LE.get(k, i)) * MIX, 27);
    }
    h = (h ^ prefix(k, i, end - i)) * MIX;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  /** The first 8 bytes of a key (fewer, zero-padded, for a shorter key), little-endian. */
  private static long prefix(byte[] k, int ko, int kl) {
    if (kl >= 8) {
      return (long) LONG_LE.get(k, ko);
    }
    if (kl == 0) {
      return 0;
    }
    if (k.length - ko >= 8) {
      // One read and a mask instead of a loop: keys mostly sit in buffers with room after them.
      return (long) LONG_LE.get(k, ko) & (-1L >>> (64 - 8 * kl));
    }
    long p = 0;
    for (int i = kl - 1; i >= 0; i--) {
      p = (p << 8) | (k[ko + i] & 0xff);
    }
    return p;
  }

  private static int encodedLength(int vl) {
    return (vl < 127 ? 1 : 5) + Math.max(vl, 0);
  }

  /**
   * Adds a value under its key; returns the key's handle, or -1 (adding nothing) when the budget
   * is used up. {@code hash} must be {@link #hash} of the key bytes.
   */
  public int add(int partition, int hash, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    int slot = find(hash, k, ko, kl);
    int e;
    if (index[slot] == 0) {
      boolean grow = (keys + 1) * 2 > index.length;
      boolean growEntries = (keys + 1) * T > table.length;
      long extra = 4 + kl + SORT_COST + 2L * encodedLength(vl) + (grow ? index.length * 8L : 0)
          + (growEntries ? table.length * 4L : 0);
      if (footprint() + extra > budget) {
        return -1;
      }
      if (grow) {
        rehash();
        slot = find(hash, k, ko, kl);
      }
      if (growEntries) {
        table = Arrays.copyOf(table, table.length * 2);
      }
      e = keys * T;
      index[slot] = keys + 1;
      int[] t = table;
      long prefix = prefix(k, ko, kl);
      t[e + T_KLEN1] = kl + 1;
      t[e + T_P0] = (int) prefix;
      t[e + T_P1] = (int) (prefix >>> 32);
      t[e + T_KOFF] = putKey(partition, k, ko, kl);
      int cap = 2 * encodedLength(vl);
      t[e + T_VOFF] = reserveValues(cap);
      t[e + T_VUSED] = 0;
      t[e + T_VCAP] = cap;
      t[e + T_COUNT] = 0;
      keys++;
    } else {
      e = (index[slot] - 1) * T;
      if (!fits(e, vl)) {
        return -1;
      }
    }
    append(e, v, vo, vl);
    return e / T;
  }

  /**
   * Adds a value under a key that the buffer already holds; returns the key's handle, or -1
   * (adding nothing) when the key is new or the budget is used up: then call {@link #add}.
   */
  public int addIfPresent(int hash, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    int id = index[find(hash, k, ko, kl)] - 1;
    if (id < 0 || !fits(id * T, vl)) {
      return -1;
    }
    append(id * T, v, vo, vl);
    return id;
  }

  /** The index slot of the key, or the empty slot where it would go. */
  private int find(int hash, byte[] k, int ko, int kl) {
    long prefix = prefix(k, ko, kl);
    int p0 = (int) prefix;
    int p1 = (int) (prefix >>> 32);
    int[] ix = index;
    int[] t = table;
    int mask = ix.length - 1;
    int slot = hash & mask;
    while (true) {
      int id = ix[slot];
      if (id == 0) {
        return slot;
      }
      int e = (id - 1) * T;
      // Keys of up to 8 bytes compare by their prefix alone, without touching the key bytes.
      if (t[e + T_KLEN1] == kl + 1 && t[e + T_P0] == p0 && t[e + T_P1] == p1
          && (kl <= 8 || equalBytes(keyData, t[e + T_KOFF] + 8, k, ko + 8, kl - 8))) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  private static boolean equalBytes(byte[] a, int ao, byte[] b, int bo, int len) {
    if (len >= 16) {
      return Arrays.equals(a, ao, ao + len, b, bo, bo + len);
    }
    for (int i = 0; i < len; i++) {
      if (a[ao + i] != b[bo + i]) {
        return false;
      }
    }
    return true;
  }

  /** Makes room for one more value of length {@code vl} in entry {@code e}'s block. */
  private boolean fits(int e, int vl) {
    int[] t = table;
    int need = t[e + T_VUSED] + encodedLength(vl);
    int cap = t[e + T_VCAP];
    if (need <= cap) {
      return true;
    }
    int newCap = Math.max(need, cap * 2);
    int off = t[e + T_VOFF];
    boolean last = off + cap == valUsed;
    long extra = last ? newCap - cap : newCap;
    if (footprint() + extra > budget) {
      return false;
    }
    if (last) {
      valUsed = off;
      reserveValues(newCap);
    } else {
      int to = reserveValues(newCap);
      System.arraycopy(valData, off, valData, to, t[e + T_VUSED]);
      t[e + T_VOFF] = to;
    }
    t[e + T_VCAP] = newCap;
    return true;
  }

  private void append(int e, byte[] v, int vo, int vl) {
    int[] t = table;
    byte[] d = valData;
    int at = t[e + T_VOFF] + t[e + T_VUSED];
    if (vl < 127) {
      d[at++] = (byte) (vl + 1);
    } else {
      d[at++] = (byte) 0xff;
      d[at++] = (byte) (vl >>> 24);
      d[at++] = (byte) (vl >>> 16);
      d[at++] = (byte) (vl >>> 8);
      d[at++] = (byte) vl;
    }
    if (vl > 0) {
      System.arraycopy(v, vo, d, at, vl);
      at += vl;
    }
    t[e + T_VUSED] = at - t[e + T_VOFF];
    t[e + T_COUNT]++;
    values++;
  }

  private int putKey(int partition, byte[] b, int off, int len) {
    if (keyUsed + 4 + len > keyData.length) {
      keyData = grow(keyData, keyUsed + 4 + len);
    }
    INT_BE.set(keyData, keyUsed, partition);
    int at = keyUsed + 4;
    System.arraycopy(b, off, keyData, at, len);
    keyUsed = at + len;
    return at;
  }

  private int reserveValues(int len) {
    if (valUsed + len > valData.length) {
      valData = grow(valData, valUsed + len);
    }
    int at = valUsed;
    valUsed += len;
    return at;
  }

  private byte[] grow(byte[] a, int need) {
    long want = Math.max((long) a.length * 2, need);
    return Arrays.copyOf(a, (int) Math.max(need, Math.min(want, budget)));
  }

  private void rehash() {
    int[] ix = new int[index.length * 2];
    int mask = ix.length - 1;
    int[] t = table;
    for (int id = 0; id < keys; id++) {
      int e = id * T;
      int slot = hash(keyData, t[e + T_KOFF], t[e + T_KLEN1] - 1) & mask;
      while (ix[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      ix[slot] = id + 1;
    }
    index = ix;
  }

  /** Number of values held under key {@code head}. */
  public int valueCount(int head) {
    return table[head * T + T_COUNT];
  }

  public int partitionOf(int head) {
    return partitionAt(head * T);
  }

  private int partitionAt(int e) {
    return (int) INT_BE.get(keyData, table[e + T_KOFF] - 4);
  }

  /** True when {@code k} holds the same bytes as key {@code head}. */
  public boolean sameKey(int head, byte[] k, int ko, int kl) {
    int e = head * T;
    return table[e + T_KLEN1] == kl + 1 && equalBytes(keyData, table[e + T_KOFF], k, ko, kl);
  }

  /** The records of one key; valid until the buffer changes. */
  public RecordStream values(int head) {
    Cursor c = new Cursor();
    c.startKey(head);
    return c;
  }

  /** Drops the values of key {@code head}, keeping its block for the values to come. */
  public void clearValues(int head) {
    int e = head * T;
    values -= table[e + T_COUNT];
    table[e + T_VUSED] = 0;
    table[e + T_COUNT] = 0;
  }

  /** Sorts the keys that hold values by (partition, key). */
  public void sort(KeyOrder order, int partitions) {
    if (ids.length < keys) {
      ids = new int[keys];
      tmp = new int[keys];
    }
    int[] t = table;
    int used = keys * T;
    partitionStart = new int[partitions + 1];
    for (int e = 0; e < used; e += T) {
      if (t[e + T_COUNT] > 0) {
        partitionStart[partitionAt(e) + 1]++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int e = 0; e < used; e += T) {
      if (t[e + T_COUNT] > 0) {
        ids[fill[partitionAt(e)]++] = e;
      }
    }
    final byte[] d = keyData;
    IndexSorter.IdComparator byKey = order.bytesEqualMeansEqual()
        ? (a, b) -> Arrays.compareUnsigned(d, t[a + T_KOFF], t[a + T_KOFF] + t[a + T_KLEN1] - 1,
            d, t[b + T_KOFF], t[b + T_KOFF] + t[b + T_KLEN1] - 1)
        : (a, b) -> order.compare(d, t[a + T_KOFF], t[a + T_KLEN1] - 1, d, t[b + T_KOFF],
            t[b + T_KLEN1] - 1);
    for (int p = 0; p < partitions; p++) {
      IndexSorter.sort(ids, tmp, partitionStart[p], partitionStart[p + 1], byKey);
    }
  }

  /** Partition {@code p}'s records, keys in sorted order, each key's values together. */
  public RecordStream partition(int p) {
    Cursor c = new Cursor();
    c.idx = partitionStart[p] - 1;
    c.end = partitionStart[p + 1];
    return c;
  }

  public void reset() {
    keyUsed = 0;
    valUsed = 0;
    keys = 0;
    values = 0;
    Arrays.fill(index, 0);
    partitionStart = null;
  }

  /** Walks keys (a range of sorted entries, or one key) and each key's value block. */
  private final class Cursor implements RecordStream {
    int idx;
    int end;
    int e = -1;
    int pos;
    int blockEnd;
    int valOff;
    int valLen;
    boolean single;

    void startKey(int head) {
      single = true;
      enter(head * T);
    }

    private void enter(int entry) {
      e = entry;
      pos = table[e + T_VOFF];
      blockEnd = pos + table[e + T_VUSED];
    }

    @Override
    public boolean next() {
      while (pos >= blockEnd) {
        if (single || ++idx >= end) {
          return false;
        }
        enter(ids[idx]);
      }
      byte[] d = valData;
      int b = d[pos++];
      if (b != (byte) 0xff) {
        valLen = b - 1;
      } else {
        valLen = ((d[pos] & 0xff) << 24) | ((d[pos + 1] & 0xff) << 16)
            | ((d[pos + 2] & 0xff) << 8) | (d[pos + 3] & 0xff);
        pos += 4;
      }
      valOff = pos;
      pos += Math.max(valLen, 0);
      return true;
    }

    @Override
    public byte[] keyBuf() {
      return keyData;
    }

    @Override
    public int keyOff() {
      return table[e + T_KOFF];
    }

    @Override
    public int keyLen() {
      return table[e + T_KLEN1] - 1;
    }

    @Override
    public byte[] valBuf() {
      return valData;
    }

    @Override
    public int valOff() {
      return valOff;
    }

    @Override
    public int valLen() {
      return valLen;
    }
  }
}
