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
import dev.quern.worker.spill.RunFiles;
import dev.quern.worker.spill.RunReader;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.testjobs.WordCount;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The map-side merge with thousands of spills: a 1 KiB sort buffer spills every few dozen
 * records, and the merge must open at most {@code quern.sort.factor} spills at once (counted by
 * {@link RunFiles}), in passes, and still produce exactly what a TreeMap computes, values of a key
 * in the order they were emitted.
 */
@ExtendWith(Seeds.class)
class SpillFanInTest {
  private static final int PARTITIONS = 3;
  private static final TaskAttemptId ATTEMPT = new TaskAttemptId("job-9", TaskKind.MAP, 0, 1);

  @TempDir Path tmp;

  private final Serde<String> keys = Serdes.of(String.class, getClass().getClassLoader());
  private final Serde<Long> values = Serdes.of(Long.class, getClass().getClassLoader());
  private final KeyOrder order = KeyOrder.of(null, keys, String.class);

  private MapOutputCollector<String, Long> collector(AttemptCounters counters, int factor,
      boolean compress, boolean combine) {
    // No hash table before the sort: with a combiner, it would fold most records away.
    DataPathConfig cfg = new DataPathConfig(1024, compress, false, 32, 3, factor, 1 << 20, false);
    Combiner<String, Long> combiner = !combine ? null
        : new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(), WordCount.SumReducer::new,
            keys, values, KeyGrouping.of(null, keys, order), counters,
            new ProgressTracker(TaskProgress.NONE));
    return new MapOutputCollector<>(ATTEMPT, cfg, PARTITIONS, new HashPartitioner<>(), keys,
        values, order, combiner, tmp, counters);
  }

  @ParameterizedTest(name = "factor={0} compress={1}")
  @CsvSource({"4, false", "7, true", "64, false"})
  void thousandsOfSpillsMergeWithinTheFactorAndKeepEmitOrder(int factor, boolean compress,
      Seed seed) throws Exception {
    AttemptCounters counters = new AttemptCounters();
    List<TreeMap<String, List<Long>>> expected = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      expected.add(new TreeMap<>());
    }
    MapOutputCollector.Result out;
    int spills;
    int passes;
    RunFiles.resetPeak();
    int openBefore = RunFiles.open();
    try (MapOutputCollector<String, Long> c = collector(counters, factor, compress, false)) {
      SplittableRandom rnd = seed.random();
      for (long i = 0; i < 60_000; i++) {
        String key = "k" + rnd.nextInt(500);
        c.collect(key, i);
        expected.get(new HashPartitioner<String>().partition(key, PARTITIONS))
            .computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      }
      out = c.finish();
      spills = c.spillCount();
      passes = c.mergePasses();
    }
    assertThat(spills).as("spills").isGreaterThan(2000);
    assertThat(RunFiles.peak()).as("spill files open at once").isLessThanOrEqualTo(factor)
        .isGreaterThanOrEqualTo(Math.min(factor, spills));
    assertThat(RunFiles.open()).as("files left open").isEqualTo(openBefore);
    // The passes the plan needs: no more (each rewrites what it merges) and no fewer.
    assertThat(passes).isEqualTo(expectedPasses(spills, factor));
    for (int p = 0; p < PARTITIONS; p++) {
      List<Map.Entry<String, Long>> want = new ArrayList<>();
      expected.get(p).forEach((k, vs) -> vs.forEach(v -> want.add(Map.entry(k, v))));
      assertThat(read(out, p)).as("partition " + p).containsExactlyElementsOf(want);
    }
    assertThat(counters.get(TaskCounter.SPILLED_RECORDS)).isGreaterThanOrEqualTo(2 * 60_000L);
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(ATTEMPT.dirName() + ".out", ATTEMPT.dirName() + ".index");
    }
  }

  @ParameterizedTest(name = "compress={0}")
  @CsvSource({"false", "true"})
  void withACombinerPassesStillSumEveryKey(boolean compress, Seed seed) throws Exception {
    AttemptCounters counters = new AttemptCounters();
    // The buffer holds a few dozen records: it spills every few dozen.
    Map<String, Long> expected = new TreeMap<>();
    MapOutputCollector.Result out;
    RunFiles.resetPeak();
    try (MapOutputCollector<String, Long> c = collector(counters, 5, compress, true)) {
      SplittableRandom rnd = seed.random();
      for (int i = 0; i < 20_000; i++) {
        String key = "w" + rnd.nextInt(3_000);
        long v = rnd.nextInt(10);
        c.collect(key, v);
        expected.merge(key, v, Long::sum);
      }
      out = c.finish();
      assertThat(c.spillCount()).isGreaterThan(200);
      assertThat(c.mergePasses()).isPositive();
    }
    assertThat(RunFiles.peak()).isLessThanOrEqualTo(5);
    Map<String, Long> actual = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      String last = null;
      for (Map.Entry<String, Long> e : read(out, p)) {
        // Combined in every pass and at the end: one record per key.
        assertThat(e.getKey()).isNotEqualTo(last);
        last = e.getKey();
        actual.put(e.getKey(), e.getValue());
      }
    }
    assertThat(actual).isEqualTo(expected);
  }

  /**
   * The passes a minimal plan takes for n equal runs: whole levels of merges {@code factor} at a
   * time while more than factor squared runs remain, then just the merges that leave {@code
   * factor} runs (each merge of g runs removes g - 1).
   */
  private static int expectedPasses(int n, int factor) {
    int passes = 0;
    while ((long) n > (long) factor * factor) {
      passes += n / factor + (n % factor > 1 ? 1 : 0);
      n = (n + factor - 1) / factor;
    }
    if (n > factor) {
      passes += (n - factor + factor - 2) / (factor - 1);
    }
    return passes;
  }

  private List<Map.Entry<String, Long>> read(MapOutputCollector.Result out, int p)
      throws Exception {
    PartitionIndex index = PartitionIndex.read(out.indexFile());
    IndexEntry e = index.entry(p);
    List<Map.Entry<String, Long>> records = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(out.dataFile());
        RunReader r = new RunReader(new FileRangeInputStream(ch, e.offset(), e.storedLength(),
            false), index.compressed(), e.rawLength(), "p" + p)) {
      while (r.next()) {
        records.add(new AbstractMap.SimpleEntry<>(
            keys.read(new Input(r.keyBuf(), r.keyOff(), r.keyLen())),
            values.read(new Input(r.valBuf(), r.valOff(), r.valLen()))));
      }
    }
    return records;
  }
}
