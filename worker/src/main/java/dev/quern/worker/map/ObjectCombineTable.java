package dev.quern.worker.map;

import dev.quern.worker.sort.IndexSorter;
import java.util.Arrays;

/**
 * Map output of a combining job whose keys and values are immutable objects, held as the objects
 * the mapper emitted: an open-addressing hash table of distinct keys (by {@code hashCode} and
 * {@code equals}), each with its serialized bytes (written once, for the sort and the memory
 * estimate), its partition (computed once) and an array of pending values.
 *
 * <p>An id (what {@link #insert} returns) is the key's index in order of first appearance, valid
 * until {@link #reset}. Ids are dense, so the frequent keys of skewed data share cache lines.
 *
 * <p>Memory estimate ({@link #footprint}), for a 64-bit JVM with compressed references (heaps
 * under 32 GB): per distinct key {@value #PER_KEY} bytes (index slots at most half full, the
 * per-key arrays with their doubling slack, the sort's id arrays), twice its serialized length
 * (the bytes and the doubling slack of the array holding them) and the key object ({@link
 * #objectBytes}); per values array 16 bytes plus 4 per slot; per pending value
 * its object, unless it is the same reference as the value before it under that key (a shared
 * constant such as a cached {@code Long} costs only its slot).
 */
final class ObjectCombineTable {
  static final int PER_KEY = 104;
  private static final int MIN_SLOTS = 64;
  private static final int FIRST_VALUES = 4;

  /** Pairs (hash, id + 1); an id of 0 marks an empty slot. */
  private int[] slots = new int[2 * MIN_SLOTS];
  private int shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
  private Object[] keys = new Object[MIN_SLOTS / 2];
  private Object[][] vals = new Object[MIN_SLOTS / 2][];
  private int[] counts = new int[MIN_SLOTS / 2];
  private int[] foldAt = new int[MIN_SLOTS / 2];
  private int[] held = new int[MIN_SLOTS / 2];
  private int[] parts = new int[MIN_SLOTS / 2];
  private int[] keyOff = new int[MIN_SLOTS / 2];
  private int[] keyLen = new int[MIN_SLOTS / 2];
  private byte[] keyData = new byte[4096];
  private int keyUsed;
  private int size;
  private long values;
  private long footprint;
  private long valueBytes;
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private int[] partitionStart;

  /** Distinct keys held (some may have no pending values). */
  int size() {
    return size;
  }

  /** Pending values held. */
  long values() {
    return values;
  }

  /** Estimated heap bytes held, as described in the class comment. */
  long footprint() {
    return footprint;
  }

  /** The part of {@link #footprint} that folding could free: values arrays and value objects. */
  long valueBytes() {
    return valueBytes;
  }

  /** Estimated bytes of a key held with {@code serializedLength} bytes. */
  static long keyCost(Object key, int serializedLength) {
    return PER_KEY + 2L * serializedLength + objectBytes(key, serializedLength);
  }

  /**
   * Estimated heap bytes of an immutable object: 16 for a boxed number; for a string 24 (the
   * object) + 16 (its array's header) + its characters, {@code utf8Length} bytes when known
   * (never below the Latin-1 or UTF-16 array they take), else 2 per char.
   */
  static int objectBytes(Object o, int utf8Length) {
    if (o instanceof String s) {
      int chars = utf8Length >= 0 ? utf8Length : 2 * s.length();
      return 40 + ((chars + 7) & ~7);
    }
    return o == null ? 0 : 16;
  }

  private int slot(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  /** The id of {@code key}, or -1. {@code hash} must be {@code key.hashCode()}. */
  int find(int hash, Object key) {
    int[] s = slots;
    int mask = (s.length >>> 1) - 1;
    int i = slot(hash);
    while (true) {
      int id = s[2 * i + 1] - 1;
      if (id < 0) {
        return -1;
      }
      if (s[2 * i] == hash && key.equals(keys[id])) {
        return id;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Inserts a key that {@link #find} did not find, with no values; returns its id.
   *
   * @param kb the key's serialized bytes {@code kb[0, kl)}
   */
  int insert(int hash, Object key, int partition, byte[] kb, int kl, int foldThreshold) {
    if (2 * (size + 1) > slots.length >>> 1) {
      rehash();
    }
    if (size == keys.length) {
      growEntries();
    }
    int id = size++;
    int[] s = slots;
    int mask = (s.length >>> 1) - 1;
    int i = slot(hash);
    while (s[2 * i + 1] != 0) {
      i = (i + 1) & mask;
    }
    s[2 * i] = hash;
    s[2 * i + 1] = id + 1;
    keys[id] = key;
    counts[id] = 0;
    held[id] = 0;
    foldAt[id] = foldThreshold;
    parts[id] = partition;
    if (keyUsed + kl > keyData.length) {
      keyData = Arrays.copyOf(keyData, Math.max(keyData.length * 2, keyUsed + kl));
    }
    System.arraycopy(kb, 0, keyData, keyUsed, kl);
    keyOff[id] = keyUsed;
    keyLen[id] = kl;
    keyUsed += kl;
    footprint += keyCost(key, kl);
    return id;
  }

  private void rehash() {
    int[] old = slots;
    int[] s = new int[old.length * 2];
    shift--;
    int mask = (s.length >>> 1) - 1;
    for (int j = 0; j < old.length; j += 2) {
      if (old[j + 1] != 0) {
        int i = slot(old[j]);
        while (s[2 * i + 1] != 0) {
          i = (i + 1) & mask;
        }
        s[2 * i] = old[j];
        s[2 * i + 1] = old[j + 1];
      }
    }
    slots = s;
  }

  private void growEntries() {
    int n = keys.length * 2;
    keys = Arrays.copyOf(keys, n);
    vals = Arrays.copyOf(vals, n);
    counts = Arrays.copyOf(counts, n);
    foldAt = Arrays.copyOf(foldAt, n);
    held = Arrays.copyOf(held, n);
    parts = Arrays.copyOf(parts, n);
    keyOff = Arrays.copyOf(keyOff, n);
    keyLen = Arrays.copyOf(keyLen, n);
  }

  /** Appends a pending value under key {@code id}; returns the key's number of pending values. */
  int append(int id, Object v) {
    Object[] a = vals[id];
    int c = counts[id];
    if (a == null || c == a.length) {
      a = growValues(id, c);
    }
    a[c] = v;
    if (v != null && (c == 0 || a[c - 1] != v)) {
      int b = objectBytes(v, -1);
      held[id] += b;
      footprint += b;
      valueBytes += b;
    }
    values++;
    return counts[id] = c + 1;
  }

  private Object[] growValues(int id, int c) {
    Object[] a = vals[id];
    int cap = a == null ? FIRST_VALUES : a.length * 2;
    long delta = 4L * cap + (a == null ? 16 : -4L * a.length);
    footprint += delta;
    valueBytes += delta;
    a = a == null ? new Object[cap] : Arrays.copyOf(a, cap);
    vals[id] = a;
    return a;
  }

  /** Drops the pending values of key {@code id}, keeping its array for the values to come. */
  void clearValues(int id) {
    int c = counts[id];
    if (c > 0) {
      Arrays.fill(vals[id], 0, c, null);
    }
    values -= c;
    counts[id] = 0;
    footprint -= held[id];
    valueBytes -= held[id];
    held[id] = 0;
  }

  Object key(int id) {
    return keys[id];
  }

  /** The array holding key {@code id}'s pending values in {@code [0, count(id))}. */
  Object[] valuesOf(int id) {
    return vals[id];
  }

  int count(int id) {
    return counts[id];
  }

  /** Pending values at which the key's values should be folded. */
  int foldAt(int id) {
    return foldAt[id];
  }

  void setFoldAt(int id, int n) {
    foldAt[id] = n;
  }

  int partition(int id) {
    return parts[id];
  }

  int keyLen(int id) {
    return keyLen[id];
  }

  /** Orders the keys that hold values by (partition, serialized key bytes, unsigned). */
  void sort(int partitions) {
    if (ids.length < size) {
      ids = new int[size];
      tmp = new int[size];
    }
    partitionStart = new int[partitions + 1];
    for (int id = 0; id < size; id++) {
      if (counts[id] > 0) {
        partitionStart[parts[id] + 1]++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int id = 0; id < size; id++) {
      if (counts[id] > 0) {
        ids[fill[parts[id]]++] = id;
      }
    }
    byte[] d = keyData;
    int[] off = keyOff;
    int[] len = keyLen;
    IndexSorter.IdComparator byKey = (a, b) -> Arrays.compareUnsigned(d, off[a], off[a] + len[a],
        d, off[b], off[b] + len[b]);
    for (int p = 0; p < partitions; p++) {
      IndexSorter.sort(ids, tmp, partitionStart[p], partitionStart[p + 1], byKey);
    }
  }

  /** After {@link #sort}: the sorted ids, partition {@code p}'s in {@code [start(p), start(p+1))}. */
  int[] sortedIds() {
    return ids;
  }

  int partitionStart(int p) {
    return partitionStart[p];
  }

  /** Forgets every key and value; the arrays stay for the next round. */
  void reset() {
    Arrays.fill(slots, 0);
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(vals, 0, size, null);
    size = 0;
    keyUsed = 0;
    values = 0;
    footprint = 0;
    valueBytes = 0;
    partitionStart = null;
  }
}
