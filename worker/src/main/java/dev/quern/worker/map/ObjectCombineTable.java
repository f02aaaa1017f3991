package dev.quern.worker.map;

import dev.quern.worker.sort.PackedKeySort;
import java.util.Arrays;

/**
 * Map output of a combining job whose keys and values are immutable objects, held as the objects
 * the mapper emitted: an open-addressing hash table of distinct keys (equal as {@code equals}
 * says), each with its serialized bytes (written once, for the sort and the memory estimate), its
 * partition (computed once) and its pending values.
 *
 * <p>Adding a value is memory-latency bound, so a hit should read one cache line. A slot holds,
 * in 32 bytes, all that a hit reads and writes: for a string key its first 16 chars, its shape
 * (its length when it is ASCII) and 16 bits of its hash, the key's id, its run count and how many
 * more values it takes before a fold. An ASCII string of up to 16 chars is found without touching
 * the key object, a longer one compares the rest with its serialized bytes, and other keys compare
 * with {@code equals}. A key's pending values are an array plus a tail run: a value that is the
 * same reference as the one before it (a shared constant such as a cached {@code Long}) only
 * counts up the run, and when it is the table's first value (such a constant, most likely) a flag
 * in the slot says so, so that the run counts up without a look at the tail reference.
 *
 * <p>A handle (what {@link #find} and {@link #insert} return) locates a key's slot until the
 * table next grows; an id ({@link #id}) is the key's index in order of first appearance, valid
 * until {@link #reset}. The rest of a key's data sits in arrays by id.
 *
 * <p>Memory estimate ({@link #footprint}), for a 64-bit JVM with compressed references (heaps
 * under 32 GB): per distinct key {@value #PER_KEY} bytes (slots of 32 bytes, a quarter to half
 * full; 48 bytes of per-key arrays, twice that with their doubling slack; the sort's id arrays),
 * twice its serialized length (the bytes and the doubling slack of the array holding them) and
 * the key object ({@link #objectBytes}); per values array 16 bytes plus 4 per slot; per pending
 * value its object, unless it is the same reference as the value before it under that key.
 */
final class ObjectCombineTable {
  static final int PER_KEY = 232;
  /** Most distinct keys. */
  static final int MAX_KEYS = (1 << 30) - 1;
  private static final int MIN_SLOTS = 64;
  private static final int FIRST_VALUES = 4;
  /** Longest run of keys sharing a packed prefix that the sort orders by insertion. */
  private static final int SHORT_RUN = 16;
  /** Shape codes: an ASCII string of up to 16 chars is its length and prefix. */
  private static final int LONG_ASCII = 17;
  private static final int OTHER = 18;

  // A slot, S ints; slot k starts at PAD + S * k, so that slots lie 32-byte aligned in a table
  // array that starts on a cache line (as large arrays do).
  private static final int S = 8;
  private static final int PAD = 4;
  private static final int P0 = 0; // chars 0-3, 8 bits each (ASCII keys); 0 for other keys
  private static final int P1 = 1; // chars 4-7
  private static final int P2 = 2; // chars 8-11
  private static final int P3 = 3; // chars 12-15
  private static final int CODE = 4; // shape (8 bits) | SHARED_TAIL | hash's high 16 bits
  private static final int SHAPE = 0xff;
  private static final int SHARED_TAIL = 0x100; // the tail value is the shared one
  private static final int HASH_BITS = 0xffff0000;
  private static final int ID = 5; // id + 1; 0 marks an empty slot
  private static final int RUN = 6; // copies of the tail value after the array's values
  private static final int LEFT = 7; // values the key takes before a fold is due
  // The rest of a key's ints, by id, C to a key.
  private static final int C = 8;
  private static final int ARR_N = 0; // values in the array
  private static final int PART = 1;
  private static final int KEY_OFF = 2;
  private static final int KEY_LEN = 3;
  private static final int HELD = 4; // estimated bytes of the value objects held
  private static final int HASH = 5;
  private static final int SLOT = 6; // the key's handle

  private int[] slots = new int[PAD + S * MIN_SLOTS];
  private int capacity = MIN_SLOTS;
  private int shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
  private int[] cold = new int[C * MIN_SLOTS / 2];
  private Object[] keys = new Object[MIN_SLOTS / 2];
  private Object[][] arrays = new Object[MIN_SLOTS / 2][];
  private Object[] tails = new Object[MIN_SLOTS / 2];
  /** The value whose runs need no look at the tail: the first one appended since the reset. */
  private Object shared;
  /** {@link #shared} at index 0; index 1 takes the stores of every later value. */
  private final Object[] firstValue = new Object[2];
  /** 0 until the first value is appended, then 1. */
  private int afterFirst;
  private byte[] keyData = new byte[4096];
  private int keyUsed;
  private int size;
  private long values;
  private long footprint;
  private long valueBytes;
  private int[] ids = new int[0];
  private int[] tmp = new int[0];
  private long[] packed = new long[0];
  private long[] packedTmp = new long[0];
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
   * Estimated heap bytes of an immutable object: 24 for a {@code Long} or {@code Double} (a 12-byte
   * header and 8 bytes, padded to 8), 16 for an {@code Integer}; for a string 24 (the object) + 16
   * (its array's header) + its characters, {@code utf8Length} bytes when known (never below the
   * Latin-1 or UTF-16 array they take), else 2 per char, padded to 8.
   */
  static int objectBytes(Object o, int utf8Length) {
    if (o instanceof String s) {
      int chars = utf8Length >= 0 ? utf8Length : 2 * s.length();
      return 40 + ((chars + 7) & ~7);
    }
    return o == null ? 0 : o instanceof Integer ? 16 : 24;
  }

  private int slot(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  /** The handle of {@code key}, or -1. */
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
   * Computes the string's shape code, 16-char prefix and hash in one pass over its chars. The hash
   * of an ASCII string is not {@link String#hashCode}'s: that chains a multiply through every char,
   * while packing the prefix does not, and a mix of the packed prefix, the length and a hash of the
   * chars past the prefix costs a few multiplies per key. Other strings hash as {@code hashCode},
   * since the packed prefix keeps only the low 8 bits of their chars.
   */
  private int findString(String s) {
    int n = s.length();
    int any = 0;
    long lo = 0;
    long hi = 0;
    int i = 0;
    for (int end = Math.min(n, 8); i < end; i++) {
      char c = s.charAt(i);
      lo |= (long) (c & 0xff) << (i << 3);
      any |= c;
    }
    for (int end = Math.min(n, 16); i < end; i++) {
      char c = s.charAt(i);
      hi |= (long) (c & 0xff) << ((i - 8) << 3);
      any |= c;
    }
    int rest = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      rest = 31 * rest + c;
      any |= c;
    }
    probeHash = any >= 0x80 ? s.hashCode() : mix(lo, hi, rest, n);
    probeCode = any >= 0x80 ? OTHER : n <= 16 ? n : LONG_ASCII;
    p0 = (int) lo;
    p1 = (int) (lo >>> 32);
    p2 = (int) hi;
    p3 = (int) (hi >>> 32);
    return probe(s);
  }

  /** The hash of an ASCII string from its packed prefix, the hash of the rest and its length. */
  static int mix(long lo, long hi, int rest, int n) {
    long x = (lo ^ (hi * 0x9E3779B97F4A7C15L) ^ ((long) rest << 32 | n)) * 0xBF58476D1CE4E5B9L;
    return (int) (x ^ (x >>> 31) ^ (x >>> 47));
  }

  private int probe(Object key) {
    int[] t = slots;
    int mask = capacity - 1;
    int code = probeCode;
    int want = (probeHash & HASH_BITS) | code;
    int i = slot(probeHash);
    while (true) {
      int b = PAD + S * i;
      int id = t[b + ID] - 1;
      if (id < 0) {
        return -1;
      }
      if ((t[b + CODE] & ~SHARED_TAIL) == want && t[b + P0] == p0 && t[b + P1] == p1
          && t[b + P2] == p2 && t[b + P3] == p3 && (code <= 16 || (code == LONG_ASCII
              ? sameTail(id, (String) key) : key.equals(keys[id])))) {
        return b;
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
   * Inserts a key that {@link #find} did not find, with no values; returns its handle.
   *
   * @param kb the key's serialized bytes {@code kb[0, kl)}; a string's must be its UTF-8 (as the
   *     built-in serde writes it), which a long ASCII key is compared with
   * @param foldThreshold the values the key takes before a fold is due
   */
  int insert(Object key, int partition, byte[] kb, int kl, int foldThreshold) {
    if (find(key) >= 0) {
      throw new IllegalStateException("key already held");
    }
    if (size >= MAX_KEYS) {
      throw new IllegalStateException("more than " + MAX_KEYS + " distinct keys");
    }
    if (2 * (size + 1) > capacity) {
      rehash();
    }
    if (size == keys.length) {
      growEntries();
    }
    int id = size++;
    int[] t = slots;
    int mask = capacity - 1;
    int i = slot(probeHash);
    while (t[PAD + S * i + ID] != 0) {
      i = (i + 1) & mask;
    }
    int b = PAD + S * i;
    t[b + P0] = p0;
    t[b + P1] = p1;
    t[b + P2] = p2;
    t[b + P3] = p3;
    t[b + CODE] = (probeHash & HASH_BITS) | probeCode;
    t[b + ID] = id + 1;
    t[b + RUN] = 0;
    t[b + LEFT] = foldThreshold;
    keys[id] = key;
    int c = id * C;
    cold[c + ARR_N] = 0;
    cold[c + PART] = partition;
    cold[c + HELD] = 0;
    cold[c + HASH] = probeHash;
    cold[c + SLOT] = b;
    if (keyUsed + kl > keyData.length) {
      keyData = Arrays.copyOf(keyData, Math.max(keyData.length * 2, keyUsed + kl));
    }
    System.arraycopy(kb, 0, keyData, keyUsed, kl);
    cold[c + KEY_OFF] = keyUsed;
    cold[c + KEY_LEN] = kl;
    keyUsed += kl;
    footprint += keyCost(key, kl);
    return b;
  }

  /** Doubles the slots; handles change. */
  private void rehash() {
    int[] old = slots;
    capacity *= 2;
    shift--;
    int[] t = new int[PAD + S * capacity];
    int mask = capacity - 1;
    for (int id = 0; id < size; id++) {
      int from = cold[id * C + SLOT];
      int i = slot(cold[id * C + HASH]);
      while (t[PAD + S * i + ID] != 0) {
        i = (i + 1) & mask;
      }
      int b = PAD + S * i;
      System.arraycopy(old, from, t, b, S);
      cold[id * C + SLOT] = b;
    }
    slots = t;
  }

  private void growEntries() {
    int n = keys.length * 2;
    keys = Arrays.copyOf(keys, n);
    arrays = Arrays.copyOf(arrays, n);
    tails = Arrays.copyOf(tails, n);
    cold = Arrays.copyOf(cold, n * C);
  }

  /** The id of the key at {@code handle}. */
  int id(int handle) {
    return slots[handle + ID] - 1;
  }

  /**
   * The serialized length of the key at {@code handle}, which is {@code key}: for an ASCII string
   * its length, without reading anything beyond the slot a find just read.
   */
  int keyLen(int handle, Object key) {
    int[] t = slots;
    return (t[handle + CODE] & SHAPE) <= LONG_ASCII ? ((String) key).length()
        : cold[(t[handle + ID] - 1) * C + KEY_LEN];
  }

  /**
   * Appends a pending value under the key at {@code handle}; returns how many more values it takes
   * before a fold is due (zero or less: due now).
   */
  int append(int handle, Object v) {
    int[] t = slots;
    values++;
    int left = t[handle + LEFT] - 1;
    t[handle + LEFT] = left;
    // The common case, a constant emitted again, reads nothing beyond the slot.
    if (v == shared && (t[handle + CODE] & SHARED_TAIL) != 0) {
      t[handle + RUN]++;
      return left;
    }
    int id = t[handle + ID] - 1;
    int run = t[handle + RUN];
    if (run > 0 && tails[id] == v) {
      t[handle + RUN] = run + 1;
      return left;
    }
    if (run > 0) {
      flushTail(id);
    }
    tails[id] = v;
    t[handle + RUN] = 1;
    // The first value becomes the shared one: a job emitting a constant emits it first. It is
    // stored through an index, not behind a test for the first time: such a test, true once per
    // table, is compiled as a trap that would fire (deoptimising the whole compiled emit path) at
    // the start of every task after the one the JIT saw.
    firstValue[afterFirst] = v;
    afterFirst = 1;
    shared = firstValue[0];
    if (v == shared && v != null) {
      t[handle + CODE] |= SHARED_TAIL;
    }
    int b = objectBytes(v, -1);
    cold[id * C + HELD] += b;
    footprint += b;
    valueBytes += b;
    return left;
  }

  /** Appends a pending value under key {@code id}; as {@link #append}. */
  int appendTo(int id, Object v) {
    return append(cold[id * C + SLOT], v);
  }

  /** Writes the tail run out into the array, to start a run of another value. */
  private void flushTail(int id) {
    int c = id * C;
    int h = cold[c + SLOT];
    int n = cold[c + ARR_N];
    int run = slots[h + RUN];
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
    cold[c + ARR_N] = n + run;
    slots[h + RUN] = 0;
    slots[h + CODE] &= ~SHARED_TAIL;
  }

  /** Drops the pending values of key {@code id}, keeping its array for the values to come. */
  void clearValues(int id) {
    int c = id * C;
    int h = cold[c + SLOT];
    int n = cold[c + ARR_N];
    if (n > 0) {
      Arrays.fill(arrays[id], 0, n, null);
    }
    values -= n + slots[h + RUN];
    tails[id] = null;
    cold[c + ARR_N] = 0;
    slots[h + RUN] = 0;
    slots[h + CODE] &= ~SHARED_TAIL;
    footprint -= cold[c + HELD];
    valueBytes -= cold[c + HELD];
    cold[c + HELD] = 0;
  }

  Object key(int id) {
    return keys[id];
  }

  /** Shows key {@code id}'s pending values to {@code view}. */
  void show(int id, PendingValues<?> view) {
    int c = id * C;
    view.reset(arrays[id], cold[c + ARR_N], tails[id], slots[cold[c + SLOT] + RUN]);
  }

  /**
   * Reads what the spill's combiner calls need of keys {@code ids[from, to)} (at most {@link
   * Batch#SIZE}) into {@code batch}; returns their number. Why a batch: at a spill the keys come
   * in key order, which is random order in memory, and with many distinct keys each key's data is
   * some six cache misses (its ints, its slot, its values array and tail, its key reference, the
   * key object and its chars). Inside the combiner loop (a call, an emit and a serialization per
   * key) the processor waits for them one key at a time; here each pass is a short loop whose
   * iterations do not depend on one another, so it has many keys' misses in flight at once, and
   * the combiner calls that follow find the batch in cache.
   */
  int gather(int[] ids, int from, int to, Batch batch) {
    int m = to - from;
    int[] ct = cold;
    int[] t = slots;
    int[] handles = batch.handles;
    int[] arrayN = batch.arrayN;
    for (int j = 0; j < m; j++) {
      int c = ids[from + j] * C;
      arrayN[j] = ct[c + ARR_N];
      handles[j] = ct[c + SLOT];
    }
    Object[] k = batch.keys;
    Object[][] a = batch.arrays;
    Object[] tl = batch.tails;
    int[] runs = batch.runs;
    for (int j = 0; j < m; j++) {
      int id = ids[from + j];
      runs[j] = t[handles[j] + RUN];
      a[j] = arrays[id];
      tl[j] = tails[id];
      k[j] = keys[id];
    }
    // A string's length reads the string and its array's header, where a short key's chars are.
    int sum = 0;
    for (int j = 0; j < m; j++) {
      sum += k[j] instanceof String str ? str.length() : k[j].hashCode();
    }
    batch.touched = sum;
    batch.used = Math.max(batch.used, m);
    return m;
  }

  /** A batch of keys' spill data, filled by {@link #gather}. */
  static final class Batch {
    static final int SIZE = 128;
    final int[] handles = new int[SIZE];
    final int[] arrayN = new int[SIZE];
    final int[] runs = new int[SIZE];
    final Object[] keys = new Object[SIZE];
    final Object[][] arrays = new Object[SIZE][];
    final Object[] tails = new Object[SIZE];
    /** What reading the keys summed to: kept, so that the reads are not optimised away. */
    int touched;
    /** Entries a gather wrote since the last {@link #clear}: those that may hold references. */
    int used;

    /** The number of pending values of the batch's key {@code j}. */
    int count(int j) {
      return arrayN[j] + runs[j];
    }

    /** Shows the batch's key {@code j}'s pending values to {@code view}. */
    void show(int j, PendingValues<?> view) {
      view.reset(arrays[j], arrayN[j], tails[j], runs[j]);
    }

    /**
     * Drops the batch's references, so that it holds no values past the spill: only the entries
     * gathered into, a few for a small spill's partition, not all {@value #SIZE}.
     */
    void clear() {
      int n = used;
      Arrays.fill(keys, 0, n, null);
      Arrays.fill(arrays, 0, n, null);
      Arrays.fill(tails, 0, n, null);
      used = 0;
    }
  }

  /** Key {@code id}'s pending values held in its array, outside the tail run. */
  int arrayValues(int id) {
    return cold[id * C + ARR_N];
  }

  int count(int id) {
    int c = id * C;
    return cold[c + ARR_N] + slots[cold[c + SLOT] + RUN];
  }

  /** Makes a fold due once key {@code id} holds {@code threshold} values. */
  void setFoldAt(int id, int threshold) {
    slots[cold[id * C + SLOT] + LEFT] = threshold - count(id);
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
    int idBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(size - 1));
    for (int p = 0; p < partitions; p++) {
      int from = partitionStart[p];
      int to = partitionStart[p + 1];
      if (to - from > 1) {
        sortByKey(from, to, idBits);
      }
    }
  }

  /**
   * Sorts {@code ids[from, to)} (ascending on entry) by key bytes: a radix sort of longs that
   * pack each key's first bytes above its id, then, where keys share that packed prefix, a sort
   * of the run by their whole bytes. Why not a comparison sort alone: a merge sort through a
   * byte comparator cost the JIT (which compiled it, recursion inlined, anew in several tasks)
   * some 20 times the time it ran; the radix passes are plain loops over two arrays.
   */
  private void sortByKey(int from, int to, int idBits) {
    int n = to - from;
    if (packed.length < n) {
      packed = new long[n];
      packedTmp = new long[n];
    }
    long[] a = packed;
    for (int i = 0; i < n; i++) {
      int id = ids[from + i];
      a[i] = (prefix(id) >>> idBits) << idBits | id;
    }
    PackedKeySort.sort(a, packedTmp, n, idBits);
    long idMask = (1L << idBits) - 1;
    for (int i = 0; i < n; i++) {
      ids[from + i] = (int) (a[i] & idMask);
    }
    // Equal packed prefixes left their keys in id order: order each such run by its bytes. Runs
    // are short for most key sets (words sharing their first bytes): an insertion sort that
    // compares past the packed bytes with a plain loop, which the JIT compiles in little time.
    int known = (64 - idBits) >>> 3;
    int i = 0;
    while (i < n) {
      long head = a[i] >>> idBits;
      int j = i + 1;
      while (j < n && a[j] >>> idBits == head) {
        j++;
      }
      if (j - i > SHORT_RUN) {
        System.arraycopy(ids, from + i, tmp, from + i, j - i);
        mergeSort(tmp, ids, from + i, from + j);
      } else if (j - i > 1) {
        insertionSort(from + i, from + j, known);
      }
      i = j;
    }
  }

  /** Sorts {@code ids[from, to)}, keys that agree in their first {@code known} bytes, stably. */
  private void insertionSort(int from, int to, int known) {
    for (int x = from + 1; x < to; x++) {
      int v = ids[x];
      int y = x - 1;
      while (y >= from && compareFrom(ids[y], v, known) > 0) {
        ids[y + 1] = ids[y];
        y--;
      }
      ids[y + 1] = v;
    }
  }

  /**
   * Compares the bytes of keys {@code a} and {@code b} (unsigned, a prefix first), which agree in
   * their first {@code known} bytes, padded with zeros.
   */
  private int compareFrom(int a, int b, int known) {
    int ao = cold[a * C + KEY_OFF];
    int al = cold[a * C + KEY_LEN];
    int bo = cold[b * C + KEY_OFF];
    int bl = cold[b * C + KEY_LEN];
    byte[] d = keyData;
    int n = Math.min(al, bl);
    for (int k = known; k < n; k++) {
      int x = d[ao + k] & 0xff;
      int y = d[bo + k] & 0xff;
      if (x != y) {
        return x - y;
      }
    }
    return al - bl;
  }

  /** Key {@code id}'s first 8 bytes as a big-endian long, zeros past its end. */
  private long prefix(int id) {
    int c = id * C;
    int off = cold[c + KEY_OFF];
    int len = Math.min(8, cold[c + KEY_LEN]);
    byte[] d = keyData;
    long p = 0;
    for (int k = 0; k < len; k++) {
      p |= (long) (d[off + k] & 0xff) << (56 - 8 * k);
    }
    return p;
  }

  /**
   * Sorts {@code src[from, to)} into {@code dst[from, to)} (both holding the same ids on entry) by
   * key bytes: a stable merge sort, insertion sort for short runs. It orders the keys that share a
   * packed prefix ({@link #sortByKey}); its own code rather than the sort buffer's sorter with a
   * comparator, so that neither shares the other's type profile.
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

  /**
   * Forgets every key and value. The arrays go too, so that what the estimate no longer counts is
   * garbage, not capacity held for the next round.
   */
  void reset() {
    slots = new int[PAD + S * MIN_SLOTS];
    capacity = MIN_SLOTS;
    shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
    cold = new int[C * MIN_SLOTS / 2];
    keys = new Object[MIN_SLOTS / 2];
    arrays = new Object[MIN_SLOTS / 2][];
    tails = new Object[MIN_SLOTS / 2];
    keyData = new byte[4096];
    ids = new int[0];
    tmp = new int[0];
    packed = new long[0];
    packedTmp = new long[0];
    shared = null;
    firstValue[0] = null;
    firstValue[1] = null;
    afterFirst = 0;
    size = 0;
    keyUsed = 0;
    values = 0;
    footprint = 0;
    valueBytes = 0;
    partitionStart = null;
  }
}
