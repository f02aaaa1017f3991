package dev.quern.worker.sort;

import dev.quern.worker.spill.RecordStream;
import java.util.Arrays;

/**
 * The sort buffer of a job with a combiner: an open-addressing table keeps each distinct key's
 * bytes once, with the values of that key chained behind it. The sort then orders distinct keys
 * only, and the collector folds a key's values through the combiner when they pile up (freed
 * value slots are reused, so folding bounds memory by the number of distinct keys).
 *
 * <p>Adding a value is memory-latency bound, so a table entry carries what an add needs: the
 * hash, the key's length and first 8 bytes (short keys compare without touching the key bytes),
 * the value count and the head of the value chain. Keys and values are stored in separate byte
 * arrays so that the distinct keys stay compact however many values pass through.
 *
 * <p>Memory budget: key and value bytes, the table (32 bytes per slot, at most half full), 24
 * bytes per distinct key and 16 bytes per value.
 */
public final class HashSortBuffer {
  // Table entry.
  private static final int T = 8;
  private static final int T_HEAD = 0; // key id + 1; 0 = empty slot
  private static final int T_HASH = 1;
  private static final int T_KLEN = 2;
  private static final int T_W0 = 3;
  private static final int T_W1 = 4;
  private static final int T_COUNT = 5;
  private static final int T_FIRST = 6;
  // Key.
  private static final int H = 4;
  private static final int PART = 0;
  private static final int KOFF = 1;
  private static final int KLEN = 2;
  private static final int SLOT = 3;
  // Value node.
  private static final int N = 4;
  private static final int VOFF = 0;
  private static final int VLEN = 1;
  private static final int VCAP = 2;
  private static final int NEXT = 3;
  private static final int HEAD_COST = H * 4 + 8;
  private static final int NODE_COST = N * 4;

  private final long budget;
  private byte[] keyData;
  private int keyUsed;
  private byte[] valData;
  private int valUsed;
  private int[] heads = new int[H * 64];
  private int headCount;
  private int[] nodes = new int[N * 64];
  private int nodeCount;
  private int free = -1;
  private int[] table = new int[T * 64];
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
    return headCount;
  }

  public long bytesUsed() {
    return keyUsed + valUsed;
  }

  private long footprint(int extraBytes, int extraHeads, int extraNodes) {
    return (long) keyUsed + valUsed + extraBytes + (long) (headCount + extraHeads) * HEAD_COST
        + (long) (nodeCount + extraNodes) * NODE_COST + (long) table.length * 4;
  }

  /**
   * A polynomial hash of the key bytes with murmur3's finalizer: linear probing needs every bit
   * of the slot index well mixed, or similar keys pile into long clusters.
   */
  public static int hash(byte[] k, int off, int len) {
    int h = len;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + k[i];
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private static int word(byte[] k, int off, int len, int from) {
    int w = 0;
    for (int i = from; i < from + 4; i++) {
      w = (w << 8) | (i < len ? k[off + i] & 0xff : 0);
    }
    return w;
  }

  /**
   * Adds a value under its key; returns the key's id, or -1 (adding nothing) when the budget is
   * used up. {@code hash} must be {@link #hash} of the key bytes.
   */
  public int add(int partition, int hash, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    int w0 = word(k, ko, kl, 0);
    int w1 = word(k, ko, kl, 4);
    int[] t = table;
    int mask = t.length / T - 1;
    int slot = hash & mask;
    int e;
    while (t[(e = slot * T) + T_HEAD] != 0) {
      if (t[e + T_HASH] == hash && t[e + T_KLEN] == kl && t[e + T_W0] == w0
          && t[e + T_W1] == w1 && (kl <= 8 || sameBytes(t[e + T_HEAD] - 1, k, ko, kl))) {
        break;
      }
      slot = (slot + 1) & mask;
    }
    boolean newKey = t[e + T_HEAD] == 0;
    int vbytes = Math.max(vl, 0);
    boolean reuse = free >= 0 && nodes[free * N + VCAP] >= vbytes;
    if (footprint((newKey ? kl : 0) + (reuse ? 0 : vbytes), newKey ? 1 : 0, reuse ? 0 : 1)
        + (newKey && (headCount + 1) * 2 > mask + 1 ? table.length * 4L : 0) > budget) {
      return -1;
    }
    int head;
    if (newKey) {
      head = headCount++;
      if (head * H + H > heads.length) {
        heads = Arrays.copyOf(heads, heads.length * 2);
      }
      int m = head * H;
      heads[m + PART] = partition;
      heads[m + KOFF] = putKey(k, ko, kl);
      heads[m + KLEN] = kl;
      heads[m + SLOT] = slot;
      t[e + T_HEAD] = head + 1;
      t[e + T_HASH] = hash;
      t[e + T_KLEN] = kl;
      t[e + T_W0] = w0;
      t[e + T_W1] = w1;
      t[e + T_COUNT] = 0;
      t[e + T_FIRST] = -1;
    } else {
      head = t[e + T_HEAD] - 1;
    }
    int node;
    if (reuse) {
      node = free;
      free = nodes[node * N + NEXT];
      if (vl > 0) {
        System.arraycopy(v, vo, valData, nodes[node * N + VOFF], vl);
      }
    } else {
      node = nodeCount++;
      if (node * N + N > nodes.length) {
        nodes = Arrays.copyOf(nodes, nodes.length * 2);
      }
      nodes[node * N + VOFF] = putValue(v, vo, vbytes);
      nodes[node * N + VCAP] = vbytes;
    }
    int n = node * N;
    nodes[n + VLEN] = vl;
    nodes[n + NEXT] = t[e + T_FIRST];
    t[e + T_FIRST] = node;
    t[e + T_COUNT]++;
    values++;
    if (newKey && headCount * 2 > mask + 1) {
      rehash();
    }
    return head;
  }

  private boolean sameBytes(int head, byte[] k, int ko, int kl) {
    int m = head * H;
    return heads[m + KLEN] == kl
        && Arrays.equals(keyData, heads[m + KOFF], heads[m + KOFF] + kl, k, ko, ko + kl);
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

  private int putValue(byte[] b, int off, int len) {
    if (valUsed + len > valData.length) {
      valData = grow(valData, valUsed + len);
    }
    System.arraycopy(b, off, valData, valUsed, len);
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
    for (int h = 0; h < headCount; h++) {
      int from = heads[h * H + SLOT] * T;
      int slot = old[from + T_HASH] & mask;
      while (t[slot * T + T_HEAD] != 0) {
        slot = (slot + 1) & mask;
      }
      System.arraycopy(old, from, t, slot * T, T);
      heads[h * H + SLOT] = slot;
    }
    table = t;
  }

  private int entry(int head) {
    return heads[head * H + SLOT] * T;
  }

  /** Number of values chained under key {@code head}. */
  public int valueCount(int head) {
    return table[entry(head) + T_COUNT];
  }

  public int partitionOf(int head) {
    return heads[head * H + PART];
  }

  /** True when {@code k} holds the same bytes as key {@code head}. */
  public boolean sameKey(int head, byte[] k, int ko, int kl) {
    return sameBytes(head, k, ko, kl);
  }

  /** The records of one key; valid until the buffer changes. */
  public RecordStream values(int head) {
    Cursor c = new Cursor();
    c.startKey(head);
    return c;
  }

  /** Drops the values of key {@code head}, keeping their slots for reuse. */
  public void clearValues(int head) {
    int e = entry(head);
    int node = table[e + T_FIRST];
    while (node >= 0) {
      int next = nodes[node * N + NEXT];
      nodes[node * N + NEXT] = free;
      free = node;
      node = next;
    }
    values -= table[e + T_COUNT];
    table[e + T_FIRST] = -1;
    table[e + T_COUNT] = 0;
  }

  /** Sorts the keys that hold values by (partition, key). */
  public void sort(KeyOrder order, int partitions) {
    if (ids.length < headCount) {
      ids = new int[headCount];
      tmp = new int[headCount];
    }
    partitionStart = new int[partitions + 1];
    for (int h = 0; h < headCount; h++) {
      if (valueCount(h) > 0) {
        partitionStart[heads[h * H + PART] + 1]++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int h = 0; h < headCount; h++) {
      if (valueCount(h) > 0) {
        ids[fill[heads[h * H + PART]]++] = h;
      }
    }
    final byte[] d = keyData;
    final int[] hd = heads;
    final int[] t = table;
    IndexSorter.IdComparator byKey = order.bytesEqualMeansEqual() ? (a, b) -> {
      // The table entry's first 8 key bytes decide most comparisons.
      int ea = hd[a * H + SLOT] * T;
      int eb = hd[b * H + SLOT] * T;
      int c = Integer.compareUnsigned(t[ea + T_W0], t[eb + T_W0]);
      if (c == 0) {
        c = Integer.compareUnsigned(t[ea + T_W1], t[eb + T_W1]);
      }
      if (c != 0) {
        return c;
      }
      int la = t[ea + T_KLEN];
      int lb = t[eb + T_KLEN];
      if (la <= 8 || lb <= 8) {
        return Integer.compare(la, lb);
      }
      int oa = hd[a * H + KOFF];
      int ob = hd[b * H + KOFF];
      return Arrays.compareUnsigned(d, oa + 8, oa + la, d, ob + 8, ob + lb);
    } : (a, b) -> {
      int ma = a * H;
      int mb = b * H;
      return order.compare(d, hd[ma + KOFF], hd[ma + KLEN], d, hd[mb + KOFF], hd[mb + KLEN]);
    };
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
    headCount = 0;
    nodeCount = 0;
    free = -1;
    values = 0;
    Arrays.fill(table, 0);
    partitionStart = null;
  }

  /** Walks keys (a range of sorted ids, or one key) and each key's value chain. */
  private final class Cursor implements RecordStream {
    int idx;
    int end;
    int head = -1;
    int node = -1;
    boolean single;

    void startKey(int h) {
      single = true;
      head = h;
      node = -2;
    }

    @Override
    public boolean next() {
      if (node == -2) {
        node = table[entry(head) + T_FIRST];
        return node >= 0;
      }
      if (node >= 0) {
        node = nodes[node * N + NEXT];
        if (node >= 0) {
          return true;
        }
      }
      if (single) {
        return false;
      }
      if (++idx >= end) {
        return false;
      }
      head = ids[idx];
      node = table[entry(head) + T_FIRST];
      return true;
    }

    @Override
    public byte[] keyBuf() {
      return keyData;
    }

    @Override
    public int keyOff() {
      return heads[head * H + KOFF];
    }

    @Override
    public int keyLen() {
      return heads[head * H + KLEN];
    }

    @Override
    public byte[] valBuf() {
      return valData;
    }

    @Override
    public int valOff() {
      return nodes[node * N + VOFF];
    }

    @Override
    public int valLen() {
      return nodes[node * N + VLEN];
    }
  }
}
