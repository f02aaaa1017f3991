package dev.quern.worker.map;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.serde.Serde;
import dev.quern.worker.spill.RecordSink;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * The map output path of a combining job whose map output keys and values are immutable built-in
 * types and whose sort order is byte order, as Spark's map-side combine: records stay the objects
 * the mapper emitted, in an {@link ObjectCombineTable}. A key is serialized and partitioned once,
 * when it first appears; its values are folded through the combiner as objects when they pile up
 * (what the combiner emits under the same key replaces them, any other key it emits is added like
 * a mapper's record); at a spill the keys are sorted by their bytes and the combiner runs once more
 * per key, its output serialized into the spill.
 *
 * <p>Memory stays under the budget by the table's estimate: when it is reached, every key with
 * two or more values is folded if the values hold a quarter of the budget or more, and the buffer
 * spills unless that brought it under three quarters.
 */
final class ObjectCombiningBuffer<K, V> {
  /** Spills the buffer (through {@link #sort} and {@link #writePartition}), then resets it. */
  @FunctionalInterface
  interface Spiller {
    void spill() throws Exception;
  }

  /** Most pending values of one key. */
  static final int MAX_PENDING = 1 << 28;

  private final long budget;
  private final int foldAt;
  private final Class<?> keyClass;
  private final Class<?> valueClass;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final Combiner<K, V> combiner;
  private final ToIntFunction<K> partitioner;
  private final Spiller spiller;
  private final ObjectCombineTable table = new ObjectCombineTable();
  private final PendingValues<V> view;
  private final Output keyOut = new Output(256, -1);
  private final Input keyIn = new Input();
  private final int fixedValueLength;
  /** What folds emit, one list per nesting level (adding a fold's output may fold another key). */
  private Emitted<K, V>[] emitted;
  private int depth;
  private long generation;
  private boolean relieving;
  private boolean foldsEnded;

  @SuppressWarnings("unchecked")
  ObjectCombiningBuffer(dev.quern.worker.task.TaskAttemptId attempt, long budget, int foldAt,
      Class<?> keyClass, Class<?> valueClass, Serde<K> keySerde, Serde<V> valueSerde,
      Combiner<K, V> combiner, ToIntFunction<K> partitioner, Spiller spiller) {
    this.budget = budget;
    this.foldAt = foldAt;
    this.keyClass = keyClass;
    this.valueClass = valueClass;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.combiner = combiner;
    this.partitioner = partitioner;
    this.spiller = spiller;
    this.view = new PendingValues<>(attempt);
    this.fixedValueLength = valueClass == Integer.class ? 4 : valueClass == String.class ? -1 : 8;
    this.emitted = new Emitted[4];
    // Made up front rather than at the first fold, which comes early in a task: a null test
    // that was true only in the first task would trap in the compiled fold of every later one.
    for (int i = 0; i < emitted.length; i++) {
      emitted[i] = new Emitted<>();
    }
  }

  /** Pending values held. */
  long count() {
    return table.values();
  }

  /** The table's memory estimate (for tests: it stays under the budget between records). */
  long footprint() {
    return table.footprint();
  }

  /**
   * Adds a mapper's record; returns its serialized size (key plus value bytes, as the byte path
   * counts {@code MAP_OUTPUT_BYTES}). May fold and spill.
   */
  long collect(K key, V value) throws Exception {
    checkTypes(key, value);
    int handle = table.find(key);
    if (handle < 0) {
      handle = newKey(key);
    }
    long bytes = table.keyLen(handle, key) + valueLength(value);
    appended(handle, table.append(handle, value));
    return bytes;
  }

  private void add(K key, V value) throws Exception {
    checkTypes(key, value);
    int handle = table.find(key);
    if (handle < 0) {
      handle = newKey(key);
    }
    appended(handle, table.append(handle, value));
  }

  /** After a value was appended at {@code handle}: folds or relieves memory as needed. */
  private void appended(int handle, int left) throws Exception {
    if (left <= 0) {
      int id = table.id(handle);
      if (table.count(id) >= MAX_PENDING) {
        // Runs of one value take no memory, but counts must not overflow.
        spiller.spill();
        return;
      }
      if (!foldsEnded) {
        fold(id);
        return;
      }
    }
    if (table.footprint() > budget) {
      relieve();
    }
  }

  /** Inserts a key the table does not hold; returns its handle (it may be found after all). */
  @SuppressWarnings("unchecked")
  private int newKey(K key) throws Exception {
    int kl = serialize(key);
    if (key instanceof String s && !isAscii(s)) {
      // Strings with unpaired surrogates encode as '?': keep the key the bytes read back as, so
      // that equal objects and equal bytes stay the same thing.
      keyIn.setBuffer(keyOut.getBuffer(), 0, kl);
      K canonical = keySerde.read(keyIn);
      if (!canonical.equals(key)) {
        key = canonical;
        int handle = table.find(key);
        if (handle >= 0) {
          return handle;
        }
      }
    }
    // The budget test first: a fresh table (size 0) comes at every task's start, and a test of
    // the size that the JIT saw fail only once would be compiled as a trap that deoptimises the
    // whole compiled emit path at the next task's first key.
    if (table.footprint() + ObjectCombineTable.keyCost(key, kl) > budget && table.size() > 0) {
      relieve();
      // Folds may have added the key; the serialization buffer may have been reused.
      int handle = table.find(key);
      if (handle >= 0) {
        return handle;
      }
      kl = serialize(key);
    }
    int partition = partitioner.applyAsInt(key);
    return table.insert(key, partition, keyOut.getBuffer(), kl, foldAt);
  }

  private int serialize(K key) {
    keyOut.reset();
    keySerde.write(key, keyOut);
    return keyOut.position();
  }

  /** Folds key {@code id}'s pending values through the combiner. */
  @SuppressWarnings("unchecked")
  private void fold(int id) throws Exception {
    K key = (K) table.key(id);
    int n = table.count(id);
    if (depth == emitted.length) {
      emitted = Arrays.copyOf(emitted, depth * 2);
      for (int i = depth; i < emitted.length; i++) {
        emitted[i] = new Emitted<>();
      }
    }
    Emitted<K, V> out = emitted[depth++];
    // At most one value outside the tail run: the pile held next to no memory (a run of one
    // object repeated holds that object once), so only the fold's cost is at stake, not the budget.
    boolean run = table.arrayValues(id) <= 1;
    try {
      table.show(id, view);
      combiner.foldObjects(key, view, n, out);
      table.clearValues(id);
      int same = 0;
      for (int i = 0; i < out.size; i++) {
        if (out.keys[i].equals(key)) {
          V v = (V) out.values[i];
          checkTypes(key, v);
          table.appendTo(id, v);
          out.keys[i] = null;
          same++;
        }
      }
      // A combiner that does not shrink a key's values (an identity) gets folded ever less often;
      // so does a key whose values come as a run (a word's count of one): each fold costs some
      // cache misses and a combiner call, and the run would take no memory if it grew twice as
      // long, so the next fold waits for twice the values this one took.
      int next = Math.max(foldAt, 2 * same);
      if (run) {
        next = Math.max(next, 2 * n);
      }
      table.setFoldAt(id, Math.min(MAX_PENDING, next));
      long gen = generation;
      for (int i = 0; i < out.size; i++) {
        if (out.keys[i] != null) {
          add((K) out.keys[i], (V) out.values[i]);
        }
      }
      if (gen == generation && table.footprint() > budget) {
        relieve();
      }
    } finally {
      out.clear();
      depth--;
    }
  }

  /** The budget is reached: fold every key if values hold much of it, else (or then) spill. */
  private void relieve() throws Exception {
    if (!relieving && !foldsEnded && table.valueBytes() >= budget / 4) {
      long gen = generation;
      relieving = true;
      try {
        for (int id = 0; id < table.size() && gen == generation; id++) {
          if (table.count(id) >= 2) {
            fold(id);
          }
        }
      } finally {
        relieving = false;
      }
      if (gen != generation || table.footprint() <= budget - budget / 4) {
        return;
      }
    }
    spiller.spill();
  }

  /**
   * Ends the folds: the folding combiner's cleanup runs and what it emits is added (without
   * folding, since the folding combiner is done).
   */
  @SuppressWarnings("unchecked")
  void endFolds() throws Exception {
    foldsEnded = true;
    Emitted<K, V> out = new Emitted<>();
    combiner.endFoldObjects(out);
    for (int i = 0; i < out.size; i++) {
      add((K) out.keys[i], (V) out.values[i]);
    }
  }

  /** Orders the keys for a spill. */
  void sort(int partitions) {
    table.sort(partitions);
  }

  /** Runs the combiner over partition {@code p}'s keys, in order; returns records written. */
  long writePartition(int p, RecordSink out) throws Exception {
    return combiner.runObjects(table, table.sortedIds(), table.partitionStart(p),
        table.partitionStart(p + 1), view, out);
  }

  /** After a spill: forgets everything held. */
  void reset() {
    table.reset();
    generation++;
  }

  private void checkTypes(K key, V value) {
    if (key.getClass() != keyClass) {
      // The serde throws the ClassCastException the byte path would.
      keyOut.reset();
      keySerde.write(key, keyOut);
    }
    if (value != null && value.getClass() != valueClass) {
      valueSerde.write(value, new Output(64, -1));
    }
  }

  private int valueLength(V v) {
    if (v == null) {
      return 0;
    }
    return fixedValueLength >= 0 ? fixedValueLength : utf8Length((String) v);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** The length of {@code s} encoded as UTF-8, an unpaired surrogate counting as one '?'. */
  static int utf8Length(String s) {
    int n = s.length();
    int len = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        len++;
      } else if (Character.isHighSurrogate(c) && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        len += 2;
        i++;
      } else if (!Character.isSurrogate(c)) {
        len += 2;
      }
    }
    return len;
  }

  /** Records a fold emitted, as objects. */
  private static final class Emitted<K, V> implements BiConsumer<K, V> {
    Object[] keys = new Object[8];
    Object[] values = new Object[8];
    int size;

    @Override
    public void accept(K k, V v) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      keys[size] = k;
      values[size++] = v;
    }

    void clear() {
      Arrays.fill(keys, 0, size, null);
      Arrays.fill(values, 0, size, null);
      size = 0;
    }
  }
}
