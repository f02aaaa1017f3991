package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Configuration;
import dev.quern.api.HashPartitioner;
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
import dev.quern.worker.testjobs.WordCount;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The map side alone: random records through a tiny sort buffer (many spills) must come out as
 * per-partition runs equal to an independent TreeMap computation.
 */
@ExtendWith(Seeds.class)
class MapOutputCollectorTest {
  private static final int PARTITIONS = 4;
  private static final TaskAttemptId ATTEMPT = new TaskAttemptId("job-7", TaskKind.MAP, 3, 2);

  @TempDir Path tmp;

  private final Serde<String> keys = Serdes.of(String.class, getClass().getClassLoader());
  private final Serde<Long> values = Serdes.of(Long.class, getClass().getClassLoader());

  private MapOutputCollector<String, Long> collector(AttemptCounters counters, boolean compress,
      boolean combine, boolean hash, int minSpills) {
    return collector(counters, compress, combine, hash, false, minSpills);
  }

  private MapOutputCollector<String, Long> collector(AttemptCounters counters, boolean compress,
      boolean combine, boolean hash, boolean objects, int minSpills) {
    // A merge factor above the spill count: one final merge (SpillFanInTest covers passes).
    DataPathConfig cfg =
        new DataPathConfig(16 * 1024, compress, hash, 32, minSpills, 4096, 1 << 20, objects);
    KeyOrder order = KeyOrder.of(null, keys, String.class);
    Combiner<String, Long> combiner = !combine ? null
        : new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(), WordCount.SumReducer::new,
            keys, values, KeyGrouping.of(null, keys, order), counters,
            new ProgressTracker(TaskProgress.NONE));
    return new MapOutputCollector<>(ATTEMPT, cfg, PARTITIONS, new HashPartitioner<>(), keys,
        values, order, combiner, tmp, counters);
  }

  /** Emits seeded random records; returns, per partition, key to values in emit order. */
  private List<TreeMap<String, List<Long>>> emit(MapOutputCollector<String, Long> c, Seed seed,
      int n) throws Exception {
    SplittableRandom rnd = seed.random();
    List<TreeMap<String, List<Long>>> expected = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      expected.add(new TreeMap<>(MapOutputCollectorTest::utf8Order));
    }
    for (int i = 0; i < n; i++) {
      String key = randomKey(rnd);
      Long value = rnd.nextInt(20) == 0 ? null : (long) rnd.nextInt(1000) - 500;
      c.collect(key, value);
      expected.get(new HashPartitioner<String>().partition(key, PARTITIONS))
          .computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return expected;
  }

  private static String randomKey(SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    int len = rnd.nextInt(6);
    for (int i = 0; i < len; i++) {
      sb.append((char) ('a' + rnd.nextInt(4)));
    }
    if (rnd.nextInt(100) == 0) {
      sb.append("\u00e9\u4e2d").append("x".repeat(rnd.nextInt(3000))); // multi-block records
    }
    return sb.toString();
  }

  private static int utf8Order(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Reads partition p of a finished output: (key, value) pairs in file order. */
  private List<Map.Entry<String, Long>> read(MapOutputCollector.Result out, int p)
      throws Exception {
    PartitionIndex index = PartitionIndex.read(out.indexFile());
    IndexEntry e = index.entry(p);
    byte[] stored = new byte[(int) e.storedLength()];
    try (FileChannel ch = FileChannel.open(out.dataFile())) {
      ch.read(java.nio.ByteBuffer.wrap(stored), e.offset());
    }
    CRC32C crc = new CRC32C();
    crc.update(stored);
    assertThat((int) crc.getValue()).as("CRC of partition " + p).isEqualTo(e.crc());
    List<Map.Entry<String, Long>> records = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(out.dataFile());
        RunReader r = new RunReader(new FileRangeInputStream(ch, e.offset(), e.storedLength(),
            false), index.compressed(), e.rawLength(), "p" + p)) {
      while (r.next()) {
        String k = keys.read(new Input(r.keyBuf(), r.keyOff(), r.keyLen()));
        Long v = r.valLen() < 0 ? null : values.read(new Input(r.valBuf(), r.valOff(), r.valLen()));
        records.add(new java.util.AbstractMap.SimpleEntry<>(k, v));
      }
    }
    return records;
  }

  @ParameterizedTest(name = "compress={0}")
  @CsvSource({"true", "false"})
  void runsEqualTreeMapWithoutCombiner(boolean compress, Seed seed) throws Exception {
    AttemptCounters counters = new AttemptCounters();
    MapOutputCollector<String, Long> c = collector(counters, compress, false, false, 3);
    List<TreeMap<String, List<Long>>> expected = emit(c, seed, 20_000);
    MapOutputCollector.Result out = c.finish();

    assertThat(PartitionIndex.read(out.indexFile()).compressed()).isEqualTo(compress);
    for (int p = 0; p < PARTITIONS; p++) {
      List<Map.Entry<String, Long>> flat = new ArrayList<>();
      expected.get(p).forEach((k, vs) -> vs.forEach(
          v -> flat.add(new java.util.AbstractMap.SimpleEntry<>(k, v))));
      // Sorting is stable across spills and merge: equal keys keep their emit order.
      assertThat(read(out, p)).as("partition %d", p).containsExactlyElementsOf(flat);
    }
    assertThat(counters.get(TaskCounter.MAP_OUTPUT_RECORDS)).isEqualTo(20_000);
    // Every record was spilled once, then written again by the final merge.
    assertThat(counters.get(TaskCounter.SPILLED_RECORDS)).isEqualTo(40_000);
    assertThat(Files.list(tmp).map(f -> f.getFileName().toString()))
        .containsExactlyInAnyOrder(ATTEMPT.dirName() + ".out", ATTEMPT.dirName() + ".index");
  }

  @ParameterizedTest(name = "compress={0} hash={1} objects={2}")
  @CsvSource({"true,false,false", "false,false,false", "true,true,false", "false,true,false",
      "true,true,true", "false,true,true"})
  void combinerSumsAndCountsRight(boolean compress, boolean hash, boolean objects, Seed seed)
      throws Exception {
    AttemptCounters counters = new AttemptCounters();
    MapOutputCollector<String, Long> c = collector(counters, compress, true, hash, objects, 3);
    assertThat(c.holdsObjects()).isEqualTo(objects);
    SplittableRandom rnd = seed.random();
    List<TreeMap<String, Long>> expected = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      expected.add(new TreeMap<>(MapOutputCollectorTest::utf8Order));
    }
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      String key = randomKey(rnd);
      long value = rnd.nextInt(10);
      c.collect(key, value);
      expected.get(new HashPartitioner<String>().partition(key, PARTITIONS))
          .merge(key, value, Long::sum);
    }
    MapOutputCollector.Result out = c.finish();
    long outRecords = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      List<Map.Entry<String, Long>> got = read(out, p);
      outRecords += got.size();
      // With at least 3 spills the merge combines again: one record per key.
      assertThat(got).as("partition %d", p)
          .containsExactlyElementsOf(expected.get(p).entrySet());
    }
    long in = counters.get(TaskCounter.COMBINE_INPUT_RECORDS);
    long outC = counters.get(TaskCounter.COMBINE_OUTPUT_RECORDS);
    assertThat(in).isGreaterThanOrEqualTo(n);
    assertThat(outC).isLessThan(in);
    // Each combine pass replaced `in` records by `out`: what is left is the file's content.
    assertThat(n - (in - outC)).isEqualTo(outRecords);
  }

  @Test
  void nullKeyFailsNamingTheAttempt() {
    MapOutputCollector<String, Long> c = collector(new AttemptCounters(), true, false, false, 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.collect(null, 1L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining(ATTEMPT.toString()).hasMessageContaining("null key");
  }

  @Test
  void emptyOutputHasEmptyPartitions() throws Exception {
    MapOutputCollector.Result out =
        collector(new AttemptCounters(), true, false, false, 3).finish();
    PartitionIndex index = PartitionIndex.read(out.indexFile());
    assertThat(index.partitions()).isEqualTo(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(read(out, p)).isEmpty();
    }
  }
}
