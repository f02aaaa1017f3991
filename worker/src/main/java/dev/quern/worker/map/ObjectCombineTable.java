package dev.quern.worker.map;

import java.util.Arrays;

/**
 * Map output of a combining job whose keys and values are immutable objects, held as the objects
 * the mapper emitted: an open-addressing hash table of distinct keys (equal as {@code equals}
 * says), each with its serialized bytes (written once, for the sort and the memory estimate), its
 * partition (computed once) and its pending values.
 *
 * <p>Adding a value is memory-latency bound, so a hit should touch few cache lines. A slot (8
 * bytes, so the index stays small) holds the key's hash and id. The 32 bytes of per-key ints that
 * a hit reads sit in order of first appearance, so the frequent keys of skewed data share cache
 * lines; for a string key they hold its first 16 chars and its length: an ASCII string of up to 16 chars is found
 * without touching the key object, a longer one compares the rest with its serialized bytes, and
 * other keys compare with {@code equals}. A key's pending values are an array plus a tail run: a
 * value that is the same reference as the one before it (a shared constant such as a cached
 * {@code Long}) only counts up the run, and when it is the table's first value (such a constant,
 * most likely) a flag in the record says so, so that the run counts up without a look at the
 * tail reference.
 *
 * <p>An id (what {@link #insert} returns) is the key's index in order of first appearance, valid
 * until {@link #reset}.
 *
 * <p>Memory estimate ({@link #footprint}), for a 64-bit JVM with compressed references (heaps
 * under 32 GB): per distinct key {@value #PER_KEY} bytes (index slots of 8 bytes, a quarter to
 * half full; 60 bytes of per-key arrays, twice that with their doubling slack; the sort's id
 * arrays), twice its serialized length
 * (the bytes and the doubling slack of the array holding them) and the key object ({@link
 * #objectBytes}); per values array 16 bytes plus 4 per slot; per pending value its object, unless
 * it is the same reference as the value before it under that key.
 */
final class ObjectCombineTable {
  static final int PER_KEY = 160;
  /** Most distinct keys. */
  static final int MAX_KEYS = Integer.MAX_VALUE - 8;
  private static final int MIN_SLOTS = 64;
  private static final int FIRST_VALUES = 4;
  /** Shape codes: an ASCII string of up to 16 chars is its length and prefix. */
  private static final int LONG_ASCII = 17;
  private static final int OTHER = 18;

  // What a hit reads, M ints to a key: 32 bytes, so a record spans at most two cache lines.
  private static final int M = 8;
  private static final int P0 = 0; // chars 0-3, 8 bits each (ASCII keys); 0 for other keys
  private static final int P1 = 1; // chars 4-7
  private static final int P2 = 2; // chars 8-11
  private static final int P3 = 3; // chars 12-15
  private static final int CODE = 4; // shape: string length (ASCII, <= 16), LONG_ASCII or OTHER
  private static final int SHAPE = 0xff; // the shape's bits in CODE
  private static final int SHARED_TAIL = 0x100; // in CODE: the tail value is the shared one
  private static final int ARR_N = 5; // values in the array
  private static final int RUN = 6; // copies of the tail value after them
  private static final int FOLD_AT = 7;
  // The rest of a key's ints, C to a key.
  private static final int C = 4;
  private static final int PART = 0;
  private static final int KEY_OFF = 1;
  private static final int KEY_LEN = 2;
  private static final int HELD = 3; // estimated bytes of the value objects held

  /** Slots: hash << 32 | id + 1; 0 marks an empty slot. */
  private long[] slots = new long[MIN_SLOTS];
  private int shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
  private int[] meta = new int[M * MIN_SLOTS / 2];
  private int[] cold = new int[C * MIN_SLOTS / 2];
  private Object[] keys = new Object[MIN_SLOTS / 2];
  private Object[][] arrays = new Object[MIN_SLOTS / 2][];
  private Object[] tails = new Object[MIN_SLOTS / 2];
  /** The value whose runs need no look at the tail: the first one appended since the reset. */
  private Object shared;
  private byte[] keyData = new byte[4096];
  private int keyUsed;
  private int size;
  private long values;
  private long footprint;
  private long valueBytes;
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private int[] partitionStart;

  // The probe of the last find: the key's hash, shape code and prefix.
  private int probeHash;
  private int probeCode;
  private int p0;
  private int p1;
  private int p2;
  private int p3;

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

  /** The id of {@code key}, or -1. */
  int find(Object key) {
    if (key instanceof String s) {
      return findString(s);
    }
    probeHash = key.hashCode();
    probeCode = OTHER;
    p0 = 0;
    p1 = 0;
    p2 = 0;
    p3 = 0;
    return probe(key);
  }

  /**
   * Computes the string's hash ({@link String#hashCode}'s), shape code and 16-char prefix in one
   * pass over its chars.
   */
  private int findString(String s) {
    int n = s.length();
    int h = 0;
    int any = 0;
    long lo = 0;
    long hi = 0;
    int i = 0;
    for (int end = Math.min(n, 8); i < end; i++) {
      char c = s.charAt(i);
      h = 31 * h + c;
      lo |= (long) (c & 0xff) << (i << 3);
      any |= c;
    }
    for (int end = Math.min(n, 16); i < end; i++) {
      char c = s.charAt(i);
      h = 31 * h + c;
      hi |= (long) (c & 0xff) << ((i - 8) << 3);
      any |= c;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      h = 31 * h + c;
      any |= c;
    }
    probeHash = h;
    probeCode = any >= 0x80 ? OTHER : n <= 16 ? n : LONG_ASCII;
    p0 = (int) lo;
    p1 = (int) (lo >>> 32);
    p2 = (int) hi;
    p3 = (int) (hi >>> 32);
    return probe(s);
  }

  private int probe(Object key) {
    long[] s = slots;
    int[] mt = meta;
    int mask = s.length - 1;
    int hash = probeHash;
    int code = probeCode;
    int i = slot(hash);
    while (true) {
      long w = s[i];
      if (w == 0) {
        return -1;
      }
      if ((int) (w >>> 32) == hash) {
        int id = (int) w - 1;
        int m = id * M;
        if ((mt[m + CODE] & SHAPE) == code && mt[m + P0] == p0 && mt[m + P1] == p1 && mt[m + P2] == p2
            && mt[m + P3] == p3 && (code <= 16 || (code == LONG_ASCII
                ? sameTail(id, (String) key) : key.equals(keys[id])))) {
          return id;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** An ASCII key of more than 16 chars against key {@code id}'s bytes, past the prefix. */
  private boolean sameTail(int id, String s) {
    int n = s.length();
    int c = id * C;
    if (cold[c + KEY_LEN] != n) {
      return false;
    }
    byte[] d = keyData;
    int off = cold[c + KEY_OFF];
    for (int i = 16; i < n; i++) {
      if (d[off + i] != (byte) s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Inserts a key that {@link #find} did not find, with no values; returns its id.
   *
   * @param kb the key's serialized bytes {@code kb[0, kl)}; a string's must be its UTF-8 (as the
   *     built-in serde writes it), which a long ASCII key is compared with
   */
  int insert(Object key, int partition, byte[] kb, int kl, int foldThreshold) {
    if (find(key) >= 0) {
      throw new IllegalStateException("key already held");
    }
    if (size >= MAX_KEYS) {
      throw new IllegalStateException("more than " + MAX_KEYS + " distinct keys");
    }
    if (2 * (size + 1) > slots.length) {
      rehash();
    }
    if (size == keys.length) {
      growEntries();
    }
    int id = size++;
    long[] s = slots;
    int mask = s.length - 1;
    int i = slot(probeHash);
    while (s[i] != 0) {
      i = (i + 1) & mask;
    }
    s[i] = ((long) probeHash << 32) | (id + 1);
    keys[id] = key;
    int m = id * M;
    meta[m + P0] = p0;
    meta[m + P1] = p1;
    meta[m + P2] = p2;
    meta[m + P3] = p3;
    meta[m + CODE] = probeCode;
    meta[m + ARR_N] = 0;
    meta[m + RUN] = 0;
    meta[m + FOLD_AT] = foldThreshold;
    int c = id * C;
    cold[c + PART] = partition;
    cold[c + HELD] = 0;
    if (keyUsed + kl > keyData.length) {
      keyData = Arrays.copyOf(keyData, Math.max(keyData.length * 2, keyUsed + kl));
    }
    System.arraycopy(kb, 0, keyData, keyUsed, kl);
    cold[c + KEY_OFF] = keyUsed;
    cold[c + KEY_LEN] = kl;
    keyUsed += kl;
    footprint += keyCost(key, kl);
    return id;
  }

  private void rehash() {
    long[] old = slots;
    long[] s = new long[old.length * 2];
    shift--;
    int mask = s.length - 1;
    for (long w : old) {
      if (w != 0) {
        int i = slot((int) (w >>> 32));
        while (s[i] != 0) {
          i = (i + 1) & mask;
        }
        s[i] = w;
      }
    }
    slots = s;
  }

  private void growEntries() {
    int n = keys.length * 2;
    keys = Arrays.copyOf(keys, n);
    arrays = Arrays.copyOf(arrays, n);
    tails = Arrays.copyOf(tails, n);
    meta = Arrays.copyOf(meta, n * M);
    cold = Arrays.copyOf(cold, n * C);
  }

  /**
   * The serialized length of key {@code id}, which is {@code key}: for an ASCII string its length,
   * without reading anything of the table beyond the record a find just read.
   */
  int keyLen(int id, Object key) {
    return (meta[id * M + CODE] & SHAPE) <= LONG_ASCII ? ((String) key).length()
        : cold[id * C + KEY_LEN];
  }

  /** Appends a pending value under key {@code id}; returns the key's number of pending values. */
  int append(int id, Object v) {
    int m = id * M;
    int[] mt = meta;
    values++;
    // The common case, a constant emitted again, reads nothing beyond the key's record.
    if (v == shared && (mt[m + CODE] & SHARED_TAIL) != 0) {
      int run = mt[m + RUN] + 1;
      mt[m + RUN] = run;
      return mt[m + ARR_N] + run;
    }
    int run = mt[m + RUN];
    if (run > 0 && tails[id] == v) {
      mt[m + RUN] = ++run;
      return mt[m + ARR_N] + run;
    }
    if (run > 0) {
      flushTail(id);
    }
    tails[id] = v;
    mt[m + RUN] = 1;
    if (shared == null) {
      // The first value becomes the shared one: a job emitting a constant emits it first.
      shared = v;
    }
    if (v == shared && v != null) {
      mt[m + CODE] |= SHARED_TAIL;
    }
    int b = objectBytes(v, -1);
    cold[id * C + HELD] += b;
    footprint += b;
    valueBytes += b;
    return mt[m + ARR_N] + 1;
  }

  /** Writes the tail run out into the array, to start a run of another value. */
  private void flushTail(int id) {
    int m = id * M;
    int n = meta[m + ARR_N];
    int run = meta[m + RUN];
    Object[] a = arrays[id];
    if (a == null || n + run > a.length) {
      int cap = Math.max(a == null ? FIRST_VALUES : a.length * 2, n + run);
      long delta = 4L * cap + (a == null ? 16 : -4L * a.length);
      footprint += delta;
      valueBytes += delta;
      a = a == null ? new Object[cap] : Arrays.copyOf(a, cap);
      arrays[id] = a;
    }
    Arrays.fill(a, n, n + run, tails[id]);
    meta[m + ARR_N] = n + run;
    meta[m + RUN] = 0;
    meta[m + CODE] &= ~SHARED_TAIL;
  }

  /** Drops the pending values of key {@code id}, keeping its array for the values to come. */
  void clearValues(int id) {
    int m = id * M;
    int n = meta[m + ARR_N];
    if (n > 0) {
      Arrays.fill(arrays[id], 0, n, null);
    }
    values -= n + meta[m + RUN];
    tails[id] = null;
    meta[m + ARR_N] = 0;
    meta[m + RUN] = 0;
    meta[m + CODE] &= ~SHARED_TAIL;
    int c = id * C;
    footprint -= cold[c + HELD];
    valueBytes -= cold[c + HELD];
    cold[c + HELD] = 0;
  }

  Object key(int id) {
    return keys[id];
  }

  /** Shows key {@code id}'s pending values to {@code view}. */
  void show(int id, PendingValues<?> view) {
    int m = id * M;
    view.reset(arrays[id], meta[m + ARR_N], tails[id], meta[m + RUN]);
  }

  int count(int id) {
    return meta[id * M + ARR_N] + meta[id * M + RUN];
  }

  /** Pending values at which the key's values should be folded. */
  int foldAt(int id) {
    return meta[id * M + FOLD_AT];
  }

  void setFoldAt(int id, int n) {
    meta[id * M + FOLD_AT] = n;
  }

  int partition(int id) {
    return cold[id * C + PART];
  }

  int keyLen(int id) {
    return cold[id * C + KEY_LEN];
  }

  /** Orders the keys that hold values by (partition, serialized key bytes, unsigned). */
  void sort(int partitions) {
    if (ids.length < size) {
      ids = new int[size];
      tmp = new int[size];
    }
    int[] ct = cold;
    partitionStart = new int[partitions + 1];
    for (int id = 0; id < size; id++) {
      if (count(id) > 0) {
        partitionStart[ct[id * C + PART] + 1]++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      partitionStart[p + 1] += partitionStart[p];
    }
    int[] fill = Arrays.copyOf(partitionStart, partitions);
    for (int id = 0; id < size; id++) {
      if (count(id) > 0) {
        ids[fill[ct[id * C + PART]]++] = id;
      }
    }
    for (int p = 0; p < partitions; p++) {
      int from = partitionStart[p];
      int to = partitionStart[p + 1];
      if (to - from > 1) {
        System.arraycopy(ids, from, tmp, from, to - from);
        mergeSort(tmp, ids, from, to);
      }
    }
  }

  /**
   * Sorts {@code src[from, to)} into {@code dst[from, to)} (both holding the same ids on entry) by
   * key bytes: a stable merge sort, insertion sort for short runs. Its own code rather than the
   * sort buffer's sorter with a comparator, so that neither shares the other's type profile.
   */
  private void mergeSort(int[] src, int[] dst, int from, int to) {
    int n = to - from;
    if (n <= 12) {
      for (int i = from + 1; i < to; i++) {
        int x = dst[i];
        int j = i - 1;
        while (j >= from && compareKeys(dst[j], x) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid);
    mergeSort(dst, src, mid, to);
    if (compareKeys(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, n);
      return;
    }
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compareKeys(src[i], src[j]) <= 0)) {
        dst[k] = src[i++];
      } else {
        dst[k] = src[j++];
      }
    }
  }

  private int compareKeys(int a, int b) {
    int ao = cold[a * C + KEY_OFF];
    int bo = cold[b * C + KEY_OFF];
    return Arrays.compareUnsigned(keyData, ao, ao + cold[a * C + KEY_LEN], keyData, bo,
        bo + cold[b * C + KEY_LEN]);
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
    Arrays.fill(arrays, 0, size, null);
    Arrays.fill(tails, 0, size, null);
    shared = null;
    size = 0;
    keyUsed = 0;
    values = 0;
    footprint = 0;
    valueBytes = 0;
    partitionStart = null;
  }
}
