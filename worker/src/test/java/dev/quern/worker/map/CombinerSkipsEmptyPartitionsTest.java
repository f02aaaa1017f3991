package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.HashPartitioner;
import dev.quern.api.Reducer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small map of a job with many reduces (few keys, most partitions empty) through the object
 * path: the spill runs a combiner only for the partitions that hold keys, and each partition's
 * output is the sums an independent count gives.
 */
@ExtendWith(Seeds.class)
class CombinerSkipsEmptyPartitionsTest {
  private static final int PARTITIONS = 500;
  private static final TaskAttemptId ATTEMPT = new TaskAttemptId("job-7", TaskKind.MAP, 3, 1);

  @TempDir Path tmp;

  /** Sums its values; counts its instances set up. */
  public static class CountingSum implements Reducer<String, Long, String, Long> {
    static int instances;

    @Override
    public void setup(Context<String, Long> ctx) {
      instances++;
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long sum = 0;
      for (Long v : values) {
        sum += v;
      }
      ctx.emit(key, sum);
    }
  }

  @Test
  void aSpillCombinesOnlyThePartitionsThatHoldKeys(Seed seed) throws Exception {
    CountingSum.instances = 0;
    Serde<String> keys = Serdes.of(String.class, getClass().getClassLoader());
    Serde<Long> values = Serdes.of(Long.class, getClass().getClassLoader());
    // One spill (a buffer far larger than the records), folds out of reach.
    DataPathConfig cfg = new DataPathConfig(16 << 20, true, true, 1 << 20, 3, 64, 1 << 20, true);
    KeyOrder order = KeyOrder.of(null, keys, String.class);
    Combiner<String, Long> combiner = new Combiner<>(ATTEMPT, PARTITIONS, Configuration.empty(),
        CountingSum::new, keys, values, KeyGrouping.of(null, keys, order),
        new AttemptCounters(), new ProgressTracker(TaskProgress.NONE));
    Path dir = Files.createDirectories(tmp.resolve("out"));
    HashPartitioner<String> partitioner = new HashPartitioner<>();
    MapOutputCollector<String, Long> collector = new MapOutputCollector<>(ATTEMPT, cfg,
        PARTITIONS, partitioner, keys, values, order, combiner, dir, new AttemptCounters());
    assertThat(collector.holdsObjects()).isTrue();

    SplittableRandom rnd = seed.random();
    Map<String, Long> expected = new TreeMap<>();
    Set<Integer> nonEmpty = new HashSet<>();
    for (int i = 0; i < 400; i++) {
      String k = "w" + rnd.nextInt(60);
      long v = 1 + rnd.nextInt(5);
      collector.collect(k, v);
      expected.merge(k, v, Long::sum);
      nonEmpty.add(partitioner.partition(k, PARTITIONS));
    }
    MapOutputCollector.Result out = collector.finish();

    assertThat(nonEmpty.size()).as("most partitions are empty").isLessThan(PARTITIONS / 4);
    assertThat(CountingSum.instances).isEqualTo(nonEmpty.size());
    PartitionIndex index = PartitionIndex.read(out.indexFile());
    Map<String, Long> got = new TreeMap<>();
    try (FileChannel ch = FileChannel.open(out.dataFile())) {
      for (int p = 0; p < PARTITIONS; p++) {
        IndexEntry e = index.entry(p);
        try (RunReader r = new RunReader(new FileRangeInputStream(ch, e.offset(),
            e.storedLength(), false), index.compressed(), e.rawLength(), "p" + p)) {
          while (r.next()) {
            String k = keys.read(new Input(r.keyBuf(), r.keyOff(), r.keyLen()));
            long v = values.read(new Input(r.valBuf(), r.valOff(), r.valLen()));
            assertThat(partitioner.partition(k, PARTITIONS)).as("partition of " + k)
                .isEqualTo(p);
            assertThat(got.put(k, v)).as("one record per key").isNull();
          }
        }
      }
    }
    assertThat(got).isEqualTo(expected);
  }
}
