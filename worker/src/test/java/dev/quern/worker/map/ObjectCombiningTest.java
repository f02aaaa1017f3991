package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.HashPartitioner;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.reduce.KeyGrouping;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.ProgressTracker;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.spill.FileRangeInputStream;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RunReader;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The object path of the map side ({@link ObjectCombiningBuffer}): map output held as objects and
 * folded through the combiner must come out as an independent computation says, and as the byte
 * path does, through tiny buffers (many spills) and odd combiners.
 */
@ExtendWith(Seeds.class)
class ObjectCombiningTest {
  private static final int PARTITIONS = 3;
  private static final TaskAttemptId ATTEMPT = new TaskAttemptId("job-9", TaskKind.MAP, 1, 1);

  @TempDir Path tmp;

  /** Sums counts, a null among them counting 0; all-null groups stay one null. */
  public static class NullSafeSum implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long sum = 0;
      boolean any = false;
      for (Long v : values) {
        if (v != null) {
          sum += v;
          any = true;
        }
      }
      ctx.emit(key, any ? sum : null);
    }
  }

  /** Moves the counts of {@code x:...} keys to {@code y:...}, drops {@code z...} keys, sums. */
  public static class RedirectingSum implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long sum = 0;
      for (Long v : values) {
        sum += v;
      }
      if (key.startsWith("z")) {
        return;
      }
      ctx.emit(key.startsWith("x:") ? "y:" + key.substring(2) : key, sum);
    }
  }

  /** Emits every value unchanged: a combiner that never shrinks anything. */
  public static class Identity implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      for (Long v : values) {
        ctx.emit(key, v);
      }
    }
  }

  /** Sums Integer values of Double keys. */
  public static class DoubleKeySum implements Reducer<Double, Integer, Double, Integer> {
    @Override
    public void reduce(Double key, Iterable<Integer> values, Context<Double, Integer> ctx) {
      int sum = 0;
      for (Integer v : values) {
        sum += v;
      }
      ctx.emit(key, sum);
    }
  }

  /** Checks its own life cycle: setup once, then reduces, then cleanup once (which emits). */
  public static class LifeCycle implements Reducer<String, Long, String, Long> {
    static final List<String> ERRORS = new ArrayList<>();
    static int instances;
    private int state;

    @Override
    public void setup(Context<String, Long> ctx) {
      instances++;
      if (state != 0) {
        ERRORS.add("setup in state " + state);
      }
      state = 1;
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      if (state != 1) {
        ERRORS.add("reduce in state " + state);
      }
      long sum = 0;
      for (Long v : values) {
        sum += v;
      }
      ctx.emit(key, sum);
    }

    @Override
    public void cleanup(Context<String, Long> ctx) {
      if (state != 1) {
        ERRORS.add("cleanup in state " + state);
      }
      state = 2;
      ctx.emit("cleanup-marker", 1L);
    }
  }

  /** Iterates its values twice. */
  public static class TwiceIterating implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      values.forEach(v -> { });
      values.forEach(v -> { });
    }
  }

  /** Emits a null key. */
  public static class NullKeyEmitting implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      ctx.emit(null, 1L);
    }
  }

  private final class Run<K, V> {
    final Serde<K> keys;
    final Serde<V> values;
    final AttemptCounters counters = new AttemptCounters();
    final MapOutputCollector<K, V> collector;

    Run(Class<K> keyClass, Class<V> valueClass, Callable<Reducer<K, V, K, V>> combiner,
        long buffer, int foldAt, boolean objects, int minSpills) {
      keys = Serdes.of(keyClass, getClass().getClassLoader());
      values = Serdes.of(valueClass, getClass().getClassLoader());
      DataPathConfig cfg =
          new DataPathConfig(buffer, true, true, foldAt, minSpills, 64, 1 << 20, objects);
      KeyOrder order = KeyOrder.of(null, keys, keyClass);
      Combiner<K, V> c = new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(), combiner,
          keys, values, KeyGrouping.of(null, keys, order), counters,
          new ProgressTracker(TaskProgress.NONE));
      collector = new MapOutputCollector<>(ATTEMPT, cfg, PARTITIONS, new HashPartitioner<>(),
          keys, values, order, c, tmp.resolve(objects ? "objects" : "bytes"), counters);
      assertThat(collector.holdsObjects()).isEqualTo(objects);
    }

    /** Finishes the collector; returns, per partition, its records in file order. */
    List<List<Map.Entry<K, V>>> finish() throws Exception {
      java.nio.file.Files.createDirectories(tmp.resolve("objects"));
      java.nio.file.Files.createDirectories(tmp.resolve("bytes"));
      MapOutputCollector.Result out = collector.finish();
      PartitionIndex index = PartitionIndex.read(out.indexFile());
      List<List<Map.Entry<K, V>>> parts = new ArrayList<>();
      try (FileChannel ch = FileChannel.open(out.dataFile())) {
        for (int p = 0; p < PARTITIONS; p++) {
          IndexEntry e = index.entry(p);
          List<Map.Entry<K, V>> records = new ArrayList<>();
          try (RunReader r = new RunReader(new FileRangeInputStream(ch, e.offset(),
              e.storedLength(), false), index.compressed(), e.rawLength(), "p" + p)) {
            while (r.next()) {
              K k = keys.read(new Input(r.keyBuf(), r.keyOff(), r.keyLen()));
              V v = r.valLen() < 0 ? null
                  : values.read(new Input(r.valBuf(), r.valOff(), r.valLen()));
              records.add(new SimpleEntry<>(k, v));
            }
          }
          parts.add(records);
        }
      }
      return parts;
    }
  }

  private <K, V> Run<K, V> run(Class<K> k, Class<V> v, Callable<Reducer<K, V, K, V>> combiner,
      long buffer, int foldAt, boolean objects) throws Exception {
    java.nio.file.Files.createDirectories(tmp.resolve(objects ? "objects" : "bytes"));
    return new Run<>(k, v, combiner, buffer, foldAt, objects, 3);
  }

  /** Keys of every shape the table tells apart: short, 16-char, long, non-ASCII, unpaired. */
  private static String randomKey(SplittableRandom rnd) {
    int kind = rnd.nextInt(100);
    if (kind < 50) {
      return "w" + (int) Math.abs(rnd.nextGaussian() * 200);
    }
    if (kind < 60) {
      // Equal String hash codes ("Aa" and "BB" hash alike), equal lengths, equal 16-char prefix.
      StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "" : "p".repeat(16));
      for (int i = 0; i < 3; i++) {
        sb.append(rnd.nextBoolean() ? "Aa" : "BB");
      }
      return sb.toString();
    }
    if (kind < 70) {
      return "long-key-with-a-common-head-" + rnd.nextInt(50);
    }
    if (kind < 80) {
      return "x".repeat(rnd.nextInt(20)) + rnd.nextInt(3);
    }
    if (kind < 88) {
      return "caf\u00e9-" + rnd.nextInt(20) + (rnd.nextBoolean() ? "\u4e2d" : "\uD83D\uDE00");
    }
    if (kind < 92) {
      // Unpaired surrogates encode as '?': equal bytes, unequal strings.
      return (rnd.nextBoolean() ? "\uD800" : "\uDC00") + "s" + rnd.nextInt(3);
    }
    if (kind < 94) {
      return "";
    }
    return Integer.toString(rnd.nextInt(5000));
  }

  private static String canonical(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static int utf8Order(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
  }

  private static <K, V> List<Map.Entry<K, V>> all(List<List<Map.Entry<K, V>>> parts) {
    List<Map.Entry<K, V>> all = new ArrayList<>();
    parts.forEach(all::addAll);
    return all;
  }

  @ParameterizedTest(name = "buffer={0} foldAt={1}")
  @CsvSource({"16384,2", "16384,32", "65536,256", "67108864,256"})
  void sumsEqualAnIndependentCountAndTheBytePath(long buffer, int foldAt, Seed seed)
      throws Exception {
    Run<String, Long> objects = run(String.class, Long.class, NullSafeSum::new, buffer, foldAt,
        true);
    Run<String, Long> bytes = run(String.class, Long.class, NullSafeSum::new, buffer, foldAt,
        false);
    SplittableRandom rnd = seed.random();
    Map<String, Long> expected = new TreeMap<>(ObjectCombiningTest::utf8Order);
    Map<String, Boolean> nonNull = new HashMap<>();
    int n = 40_000;
    long mapBytes = 0;
    Long shared = 1L;
    for (int i = 0; i < n; i++) {
      String key = randomKey(rnd);
      int r = rnd.nextInt(30);
      // Mostly one shared object (a run), sometimes fresh ones, sometimes null.
      Long value = r == 0 ? null : r < 20 ? shared : Long.valueOf(rnd.nextInt(1000) - 500);
      objects.collector.collect(key, value);
      assertThat(objects.collector.objectFootprint()).as("estimate within the budget")
          .isLessThanOrEqualTo(buffer);
      bytes.collector.collect(key, value);
      String k = canonical(key);
      expected.merge(k, value == null ? 0 : value, Long::sum);
      nonNull.merge(k, value != null, Boolean::logicalOr);
      mapBytes += key.getBytes(StandardCharsets.UTF_8).length + (value == null ? 0 : 8);
    }
    List<List<Map.Entry<String, Long>>> got = objects.finish();
    List<Map.Entry<String, Long>> flat = all(got);
    Map<String, Long> sums = new TreeMap<>(ObjectCombiningTest::utf8Order);
    for (Map.Entry<String, Long> e : flat) {
      sums.merge(e.getKey(), e.getValue() == null ? 0 : e.getValue(), Long::sum);
    }
    assertThat(sums).isEqualTo(expected);
    for (int p = 0; p < PARTITIONS; p++) {
      List<String> keys = got.get(p).stream().map(Map.Entry::getKey).toList();
      assertThat(keys).as("partition %d sorted", p)
          .isSortedAccordingTo(ObjectCombiningTest::utf8Order);
    }
    for (Map.Entry<String, Long> e : flat) {
      if (!nonNull.get(e.getKey())) {
        assertThat(e.getValue()).as("key %s had only null values", e.getKey()).isNull();
      }
    }
    AttemptCounters c = objects.counters;
    assertThat(c.get(TaskCounter.MAP_OUTPUT_RECORDS)).isEqualTo(n);
    assertThat(c.get(TaskCounter.MAP_OUTPUT_BYTES)).isEqualTo(mapBytes);
    long in = c.get(TaskCounter.COMBINE_INPUT_RECORDS);
    long out = c.get(TaskCounter.COMBINE_OUTPUT_RECORDS);
    assertThat(in).isGreaterThanOrEqualTo(n);
    // Each combine replaced `in` records by `out`: what is left is the file's content.
    assertThat(n - (in - out)).isEqualTo(flat.size());

    // The byte path agrees record for record once both merged (combining) or held one spill.
    List<Map.Entry<String, Long>> fromBytes = all(bytes.finish());
    assertThat(bytes.counters.get(TaskCounter.MAP_OUTPUT_BYTES)).isEqualTo(mapBytes);
    if (buffer < (1 << 20)) {
      assertThat(c.get(TaskCounter.SPILLED_RECORDS)).as("many spills")
          .isGreaterThan(2L * flat.size());
    }
    assertThat(flat.size()).isEqualTo(sums.size());
    Map<String, Long> byteSums = new TreeMap<>(ObjectCombiningTest::utf8Order);
    fromBytes.forEach(e -> byteSums.merge(e.getKey(), e.getValue() == null ? 0 : e.getValue(),
        Long::sum));
    assertThat(byteSums).isEqualTo(expected);
  }

  @Test
  void combinerThatEmitsOtherKeysOrNothing(Seed seed) throws Exception {
    for (long buffer : new long[] {16384, 1 << 20}) {
      Run<String, Long> r = run(String.class, Long.class, RedirectingSum::new, buffer, 4, true);
      SplittableRandom rnd = seed.random();
      Map<String, Long> expected = new TreeMap<>(ObjectCombiningTest::utf8Order);
      for (int i = 0; i < 30_000; i++) {
        int k = rnd.nextInt(300);
        String key = (k % 3 == 0 ? "x:" : k % 3 == 1 ? "y:" : "z") + (k / 3);
        long v = rnd.nextInt(5);
        r.collector.collect(key, v);
        assertThat(r.collector.objectFootprint()).isLessThanOrEqualTo(buffer);
        if (!key.startsWith("z")) {
          expected.merge(key.startsWith("x:") ? "y:" + key.substring(2) : key, v, Long::sum);
        }
      }
      Map<String, Long> got = new TreeMap<>(ObjectCombiningTest::utf8Order);
      for (Map.Entry<String, Long> e : all(r.finish())) {
        // The combiner may not have seen every record of a key (it runs zero or more times):
        // redirect and drop here as the reducer would.
        if (!e.getKey().startsWith("z")) {
          got.merge(e.getKey().startsWith("x:") ? "y:" + e.getKey().substring(2) : e.getKey(),
              e.getValue(), Long::sum);
        }
      }
      assertThat(got).as("buffer %d", buffer).isEqualTo(expected);
      tmp = java.nio.file.Files.createTempDirectory(tmp, "again");
    }
  }

  @Test
  void identityCombinerKeepsEveryRecordInATinyBuffer(Seed seed) throws Exception {
    Run<String, Long> r = run(String.class, Long.class, Identity::new, 16384, 2, true);
    SplittableRandom rnd = seed.random();
    Map<String, List<Long>> expected = new TreeMap<>(ObjectCombiningTest::utf8Order);
    int n = 8_000;
    for (int i = 0; i < n; i++) {
      String key = "k" + rnd.nextInt(rnd.nextBoolean() ? 5 : 500);
      Long v = rnd.nextBoolean() ? 7L : (long) rnd.nextInt(100);
      r.collector.collect(key, v);
      expected.computeIfAbsent(key, x -> new ArrayList<>()).add(v);
    }
    Map<String, List<Long>> got = new TreeMap<>(ObjectCombiningTest::utf8Order);
    for (Map.Entry<String, Long> e : all(r.finish())) {
      got.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(e.getValue());
    }
    expected.values().forEach(l -> l.sort(null));
    got.values().forEach(l -> l.sort(null));
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void doubleKeysAndIntegerValues(Seed seed) throws Exception {
    Run<Double, Integer> r = run(Double.class, Integer.class, DoubleKeySum::new, 4096, 8, true);
    SplittableRandom rnd = seed.random();
    Map<Double, Integer> expected = new TreeMap<>();
    Double[] special = {0.0, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff8000000000001L),
        Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -1e-300};
    for (int i = 0; i < 20_000; i++) {
      Double k = rnd.nextInt(10) == 0 ? special[rnd.nextInt(special.length)]
          : (double) (rnd.nextInt(400) - 200) / 4;
      int v = rnd.nextInt(10);
      r.collector.collect(k, v);
      expected.merge(k, v, Integer::sum);
    }
    Map<Double, Integer> got = new TreeMap<>();
    List<List<Map.Entry<Double, Integer>>> parts = r.finish();
    for (List<Map.Entry<Double, Integer>> part : parts) {
      for (int i = 1; i < part.size(); i++) {
        assertThat(Double.compare(part.get(i - 1).getKey(), part.get(i).getKey()))
            .as("sorted").isNegative();
      }
      part.forEach(e -> got.merge(e.getKey(), e.getValue(), Integer::sum));
    }
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void everyCombinerInstanceIsSetUpOnceAndCleanedUpOnce(Seed seed) throws Exception {
    LifeCycle.ERRORS.clear();
    LifeCycle.instances = 0;
    Run<String, Long> r = run(String.class, Long.class, LifeCycle::new, 4096, 4, true);
    long total = 0;
    SplittableRandom rnd = seed.random();
    for (int i = 0; i < 10_000; i++) {
      r.collector.collect("k" + rnd.nextInt(300), 1L);
      total++;
    }
    List<Map.Entry<String, Long>> out = all(r.finish());
    assertThat(LifeCycle.ERRORS).isEmpty();
    assertThat(LifeCycle.instances).isGreaterThan(2);
    long words = out.stream().filter(e -> !e.getKey().equals("cleanup-marker"))
        .mapToLong(Map.Entry::getValue).sum();
    assertThat(words).isEqualTo(total);
    // Each cleanup emitted one marker, and later passes sum markers as any key: the output's
    // markers add up to the number of instances, so every instance was cleaned up.
    long markers = out.stream().filter(e -> e.getKey().equals("cleanup-marker"))
        .mapToLong(Map.Entry::getValue).sum();
    assertThat(markers).isEqualTo(LifeCycle.instances);
  }

  @Test
  void combinerErrorsNameTheAttempt() throws Exception {
    Run<String, Long> twice = run(String.class, Long.class, TwiceIterating::new, 4096, 4, true);
    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        twice.collector.collect("a", 1L);
      }
    }).isInstanceOf(IllegalStateException.class).hasMessageContaining(ATTEMPT.toString());
    Run<String, Long> nullKey = run(String.class, Long.class, NullKeyEmitting::new, 4096, 4,
        true);
    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        nullKey.collector.collect("a", 1L);
      }
    }).isInstanceOf(NullPointerException.class).hasMessageContaining(ATTEMPT.toString())
        .hasMessageContaining("null key");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void wrongTypesFailAsOnTheBytePath() throws Exception {
    for (boolean objects : new boolean[] {true, false}) {
      Run<String, Long> r = run(String.class, Long.class, NullSafeSum::new, 4096, 4, objects);
      MapOutputCollector raw = r.collector;
      assertThatThrownBy(() -> raw.collect(42, 1L)).isInstanceOf(ClassCastException.class);
      assertThatThrownBy(() -> raw.collect("a", 1)).isInstanceOf(ClassCastException.class);
    }
  }

  @Test
  void onlyImmutableBuiltInTypesInByteOrderTakeTheObjectPath() throws Exception {
    Callable<Reducer<byte[], Long, byte[], Long>> none = () -> null;
    Serde<byte[]> bytes = Serdes.of(byte[].class, getClass().getClassLoader());
    Serde<Long> longs = Serdes.of(Long.class, getClass().getClassLoader());
    AttemptCounters counters = new AttemptCounters();
    KeyOrder order = KeyOrder.of(null, bytes, byte[].class);
    Combiner<byte[], Long> c = new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(), none,
        bytes, longs, KeyGrouping.of(null, bytes, order), counters,
        new ProgressTracker(TaskProgress.NONE));
    DataPathConfig cfg = new DataPathConfig(4096, true, true, 4, 3, 64, 1 << 20, true);
    assertThat(new MapOutputCollector<>(ATTEMPT, cfg, PARTITIONS, new HashPartitioner<>(), bytes,
        longs, order, c, tmp, counters).holdsObjects()).isFalse();
    Serde<String> strings = Serdes.of(String.class, getClass().getClassLoader());
    KeyOrder descending = (a, ao, al, b, bo, bl) ->
        -Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
    Combiner<String, Long> sc = new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(),
        NullSafeSum::new, strings, longs, KeyGrouping.of(null, strings, descending), counters,
        new ProgressTracker(TaskProgress.NONE));
    assertThat(new MapOutputCollector<>(ATTEMPT, cfg, PARTITIONS, new HashPartitioner<>(),
        strings, longs, descending, sc, tmp, counters).holdsObjects()).isFalse();
    DataPathConfig off = new DataPathConfig(4096, true, true, 4, 3, 64, 1 << 20, false);
    assertThat(new MapOutputCollector<>(ATTEMPT, off, PARTITIONS, new HashPartitioner<>(),
        strings, longs, KeyOrder.of(null, strings, String.class), sc, tmp, counters)
        .holdsObjects()).isFalse();
  }

  @Test
  void utf8LengthIsTheEncodedLength(Seed seed) {
    SplittableRandom rnd = seed.random();
    char[] pool = {'a', 'Z', '\u00e9', '\u07ff', '\u0800', '\u4e2d', '\uffff', '\uD83D', '\uDE00',
        '\uD800', '\uDC00', '\u0000', '\u007f', '\u0080'};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(8);
      for (int j = 0; j < n; j++) {
        sb.append(pool[rnd.nextInt(pool.length)]);
      }
      String s = sb.toString();
      assertThat(ObjectCombiningBuffer.utf8Length(s)).as("%s", s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void tableFindsWhatItHoldsAndNothingElse(Seed seed) {
    SplittableRandom rnd = seed.random();
    ObjectCombineTable t = new ObjectCombineTable();
    Map<Object, Integer> ids = new HashMap<>();
    Supplier<Object> key = () -> {
      int kind = rnd.nextInt(4);
      return kind == 0 ? (Object) randomKey(rnd) : kind == 1 ? (Object) (long) rnd.nextInt(3000)
          : kind == 2 ? "Aa".repeat(rnd.nextInt(12)) + "BB".repeat(rnd.nextInt(3))
          : (Object) randomKey(rnd).toUpperCase(java.util.Locale.ROOT);
    };
    // The built-in serdes' bytes: UTF-8 for a string (what the table compares long keys with).
    BiFunction<Object, Integer, byte[]> bytesOf = (k, x) -> k instanceof String s
        ? s.getBytes(StandardCharsets.UTF_8)
        : java.nio.ByteBuffer.allocate(8).putLong((Long) k ^ Long.MIN_VALUE).array();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 30_000; i++) {
        Object k = key.get();
        if (k instanceof String s) {
          k = new String(s.toCharArray()); // a fresh object, as a tokenizer makes
        }
        int handle = t.find(k);
        Integer want = ids.get(k);
        assertThat(handle < 0 ? -1 : t.id(handle)).as("%s", k)
            .isEqualTo(want == null ? -1 : want);
        if (handle < 0) {
          byte[] b = bytesOf.apply(k, 0);
          handle = t.insert(k, Objects.hashCode(k) & 1, b, b.length, 8);
          assertThat(t.id(handle)).isEqualTo(ids.size());
          ids.put(k, t.id(handle));
        }
        t.append(handle, i % 3 == 0 ? null : 1L);
      }
      long values = 0;
      for (int id = 0; id < t.size(); id++) {
        values += t.count(id);
      }
      assertThat(values).isEqualTo(t.values()).isEqualTo(30_000);
      assertThat(t.footprint()).isPositive();
      t.reset();
      ids.clear();
      assertThat(t.size()).isZero();
      assertThat(t.footprint()).isZero();
    }
  }
  @Test
  void gatheredBatchesHoldEachKeysValuesInOrder(Seed seed) {
    SplittableRandom rnd = seed.random();
    ObjectCombineTable t = new ObjectCombineTable();
    int partitions = 2;
    // The independent record: each key's values in the order appended, and its partition.
    Map<Object, List<Object>> appended = new HashMap<>();
    Map<Object, Integer> partitionOf = new HashMap<>();
    Long one = 1L;
    for (int i = 0; i < 40_000; i++) {
      Object k = rnd.nextInt(5) == 0 ? (Object) (long) rnd.nextInt(2000)
          : new String(randomKey(rnd).toCharArray());
      int handle = t.find(k);
      if (handle < 0) {
        byte[] b = k instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
            : java.nio.ByteBuffer.allocate(8).putLong((Long) k ^ Long.MIN_VALUE).array();
        int p = rnd.nextInt(partitions);
        handle = t.insert(k, p, b, b.length, 1 << 20);
        partitionOf.put(k, p);
        appended.put(k, new ArrayList<>());
      }
      // Runs of a shared constant, fresh objects (runs end), and nulls.
      int kind = rnd.nextInt(4);
      Object v = kind < 2 ? one : kind == 2 ? Long.valueOf(1000 + rnd.nextInt(1 << 20)) : null;
      t.append(handle, v);
      appended.get(k).add(v);
    }
    t.sort(partitions);
    int[] ids = t.sortedIds();
    PendingValues<Object> view = new PendingValues<>(ATTEMPT);
    ObjectCombineTable.Batch batch = new ObjectCombineTable.Batch();
    int seen = 0;
    for (int p = 0; p < partitions; p++) {
      int end = t.partitionStart(p + 1);
      for (int i = t.partitionStart(p); i < end; ) {
        int to = Math.min(end, i + 1 + rnd.nextInt(ObjectCombineTable.Batch.SIZE));
        int m = t.gather(ids, i, to, batch);
        assertThat(m).isEqualTo(to - i);
        for (int j = 0; j < m; j++) {
          Object k = batch.keys[j];
          assertThat(k).isSameAs(t.key(ids[i + j]));
          assertThat(partitionOf.get(k)).isEqualTo(p);
          assertThat(batch.count(j)).as("%s", k).isEqualTo(appended.get(k).size());
          batch.show(j, view);
          List<Object> got = new ArrayList<>();
          view.forEach(got::add);
          view.close();
          assertThat(got).as("%s", k).isEqualTo(appended.get(k));
          seen++;
        }
        i = to;
      }
    }
    assertThat(seen).isEqualTo(appended.size());
    batch.clear();
    assertThat(batch.keys).containsOnlyNulls();
    assertThat(batch.tails).containsOnlyNulls();
  }

  @Test
  void tableSortsEachPartitionByKeyBytes(Seed seed) {
    SplittableRandom rnd = seed.random();
    ObjectCombineTable t = new ObjectCombineTable();
    int partitions = 3;
    Map<String, Integer> partitionOf = new HashMap<>();
    // Long shared heads (past the packed prefix), NUL chars (a shorter key is a prefix of a
    // longer one), short keys, non-ASCII and empty keys; some keys never get a value.
    String[] heads = {"", "a", "abcdefg", "abcdefgh", "abcdefghijk", "\u0000", "zz\u00e9"};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder(heads[rnd.nextInt(heads.length)]);
      int len = rnd.nextInt(12);
      for (int j = 0; j < len; j++) {
        sb.append(rnd.nextInt(8) == 0 ? '\u0000' : (char) ('a' + rnd.nextInt(3)));
      }
      String k = sb.toString();
      int handle = t.find(k);
      if (handle < 0) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        int p = rnd.nextInt(partitions);
        handle = t.insert(k, p, b, b.length, 1 << 20);
        partitionOf.put(k, p);
      }
      if (rnd.nextInt(10) > 0) {
        t.append(handle, 1L);
      }
    }
    t.sort(partitions);
    int[] ids = t.sortedIds();
    for (int p = 0; p < partitions; p++) {
      List<String> got = new ArrayList<>();
      for (int i = t.partitionStart(p); i < t.partitionStart(p + 1); i++) {
        got.add((String) t.key(ids[i]));
      }
      List<String> want = new ArrayList<>();
      for (int id = 0; id < t.size(); id++) {
        String k = (String) t.key(id);
        if (t.count(id) > 0 && partitionOf.get(k) == p) {
          want.add(k);
        }
      }
      want.sort(ObjectCombiningTest::utf8Order);
      assertThat(got).as("partition %d", p).hasSizeGreaterThan(100)
          .isEqualTo(want);
    }
  }
  @Test
  void aRunOfOneObjectIsFoldedEverLessOftenOtherValuesEveryFoldAt(Seed seed) throws Exception {
    int[] calls = new int[1];
    Callable<Reducer<String, Long, String, Long>> counting = () -> new NullSafeSum() {
      @Override
      public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
        calls[0]++;
        super.reduce(key, values, ctx);
      }
    };
    int foldAt = 256;
    int n = 100_000;
    Run<String, Long> run = run(String.class, Long.class, counting, 64L << 20, foldAt, true);
    Long one = 1L;
    SplittableRandom rnd = seed.random();
    long freshSum = 0;
    for (int i = 0; i < n; i++) {
      run.collector.collect("run", one);
      // Fresh objects (outside the Long cache) under another key: each one held in memory.
      Long fresh = Long.valueOf(1000 + rnd.nextInt(1000));
      freshSum += fresh;
      run.collector.collect("fresh", fresh);
    }
    int folds = calls[0];
    Map<String, Long> got = new HashMap<>();
    for (Map.Entry<String, Long> e : all(run.finish())) {
      got.merge(e.getKey(), e.getValue(), Long::sum);
    }
    assertThat(got).isEqualTo(Map.of("run", (long) n, "fresh", freshSum));
    // "fresh" folds at every foldAt values (its pile doubles at most by what a fold leaves);
    // "run" waits twice as long after each fold: about log2(n / foldAt) folds.
    int freshFolds = n / foldAt;
    int runFolds = 32 - Integer.numberOfLeadingZeros(n / foldAt) + 1;
    assertThat(folds).as("folds")
        .isBetween(freshFolds - 1, freshFolds + runFolds);
  }
}
