package dev.quern.worker.sort;

import dev.quern.worker.spill.RecordStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The sort buffer of a job with a combiner: an open-addressing table keeps each distinct key's
 * bytes once, with the values of that key packed together in a block of their own. The sort then
 * orders distinct keys only, and the collector folds a key's values through the combiner when they
 * pile up (a folded key's block is reused, so folding bounds memory by the number of distinct
 * keys).
 *
 * <p>Adding a value is memory-latency bound, so everything an add needs sits in one 32-byte table
 * entry (hash, key length and offset, partition, value block, value count), and a key's values are
 * contiguous: reading them back for a fold walks one short block instead of chasing a chain of
 * nodes scattered over the buffer. A block grows by doubling (in place when it is the last one);
 * the space it leaves behind counts against the budget until the next spill.
 *
 * <p>A key handle (what {@link #add} returns) is the key's table slot: valid until the next add.
 *
 * <p>Memory budget: key bytes, value blocks (each value prefixed by its length, 1 byte for values
 * under 127 bytes), the table (32 bytes per slot, at most half full) and 8 bytes per distinct key
 * for the sort.
 */
public final class HashSortBuffer {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long MIX = 0x9E3779B97F4A7C15L;

  // Table entry.
  private static final int T = 8;
  private static final int T_KLEN1 = 0; // key length + 1; 0 = empty slot
  private static final int T_HASH = 1;
  private static final int T_KOFF = 2;
  private static final int T_PART = 3;
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
  private int[] table = new int[T * MIN_SLOTS];
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
    return (long) keyUsed + valUsed + (long) table.length * 4 + (long) keys * SORT_COST;
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
    long tail = 0;
    for (; i < end; i++) {
      tail = (tail << 8) | (k[i] & 0xff);
    }
    h = (h ^ tail) * MIX;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  private static int encodedLength(int vl) {
    return (vl < 127 ? 1 : 5) + Math.max(vl, 0);
  }

  /**
   * Adds a value under its key; returns the key's handle, or -1 (adding nothing) when the budget
   * is used up. {@code hash} must be {@link #hash} of the key bytes.
   */
  public int add(int partition, int hash, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    int e = find(hash, k, ko, kl);
    if (table[e + T_KLEN1] == 0) {
      int slots = table.length / T;
      boolean grow = (keys + 1) * 2 > slots;
      long extra = kl + SORT_COST + 2L * encodedLength(vl) + (grow ? table.length * 8L : 0);
      if (footprint() + extra > budget) {
        return -1;
      }
      if (grow) {
        rehash();
        e = find(hash, k, ko, kl);
      }
      int[] t = table;
      t[e + T_KLEN1] = kl + 1;
      t[e + T_HASH] = hash;
      t[e + T_KOFF] = putKey(k, ko, kl);
      t[e + T_PART] = partition;
      int cap = 2 * encodedLength(vl);
      t[e + T_VOFF] = reserveValues(cap);
      t[e + T_VUSED] = 0;
      t[e + T_VCAP] = cap;
      t[e + T_COUNT] = 0;
      keys++;
    } else if (!fits(e, vl)) {
      return -1;
    }
    append(e, v, vo, vl);
    return e / T;
  }

  /** The entry of the key, or the empty entry where it would go. */
  private int find(int hash, byte[] k, int ko, int kl) {
    int[] t = table;
    int mask = t.length / T - 1;
    int slot = hash & mask;
    while (true) {
      int e = slot * T;
      int klen1 = t[e + T_KLEN1];
      if (klen1 == 0 || (t[e + T_HASH] == hash && klen1 == kl + 1
          && equalBytes(keyData, t[e + T_KOFF], k, ko, kl))) {
        return e;
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

  private int putKey(byte[] b, int off, int len) {
    if (keyUsed + len > keyData.length) {
      keyData = grow(keyData, keyUsed + len);
    }
    System.arraycopy(b, off, keyData, keyUsed, len);
    int at = keyUsed;
    keyUsed += len;
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
    int[] old = table;
    int[] t = new int[old.length * 2];
    int mask = t.length / T - 1;
    for (int from = 0; from < old.length; from += T) {
      if (old[from + T_KLEN1] == 0) {
        continue;
      }
      int slot = old[from + T_HASH] & mask;
      while (t[slot * T + T_KLEN1] != 0) {
        slot = (slot + 1) & mask;
      }
      System.arraycopy(old, from, t, slot * T, T);
    }
    table = t;
  }

  /** Number of values held under key {@code head}. */
  public int valueCount(int head) {
    return table[head * T + T_COUNT];
  }

  public int partitionOf(int head) {
    return table[head * T + T_PART];
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
    partitionStart = new int[partitions + 1];
    for (int e = 0; e < t.length; e += T) {
      if (t[e + T_KLEN1] != 0 && t[e + T_COUNT] > 0) {
        partitionStart[t[e + T_PART] + 1]++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int e = 0; e < t.length; e += T) {
      if (t[e + T_KLEN1] != 0 && t[e + T_COUNT] > 0) {
        ids[fill[t[e + T_PART]]++] = e;
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
    Arrays.fill(table, 0);
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
