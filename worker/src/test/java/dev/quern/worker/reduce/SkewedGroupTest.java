package dev.quern.worker.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Reducer;
import dev.quern.api.TaskCounter;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.ProgressTracker;
import dev.quern.worker.runner.TaskContext;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.testjobs.LocalJobRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One key carrying half the records, with no combiner: its group streams through the reducer.
 * The proof does not depend on the heap: the stream is never read more than one record ahead of
 * the value the reducer is handed, and a group many times larger than every in-memory limit of
 * the job (sort buffer, shuffle memory) comes out right.
 */
@ExtendWith(Seeds.class)
class SkewedGroupTest {
  private static final TaskAttemptId ATTEMPT = new TaskAttemptId("job-3", TaskKind.REDUCE, 0, 1);
  private static final int HOT = 1_000_000;

  @TempDir Path tmp;

  private final Serde<String> keys = Serdes.of(String.class, getClass().getClassLoader());
  private final Serde<Long> values = Serdes.of(Long.class, getClass().getClassLoader());

  /**
   * Sorted records made as they are read, none kept: "a" twice, then "hot" {@value #HOT} times
   * with values 0, 1, 2..., then "z" once (value 0). Counts the records pulled.
   */
  private final class GeneratedStream implements RecordStream {
    final byte[][] keyBytes = {bytes("a"), bytes("hot"), bytes("z")};
    final Output val = new Output(16, -1);
    long pulled;
    byte[] key;

    byte[] bytes(String k) {
      Output o = new Output(16, -1);
      keys.write(k, o);
      return o.toBytes();
    }

    @Override
    public boolean next() {
      long i = pulled;
      if (i >= 2 + HOT + 1) {
        return false;
      }
      pulled++;
      key = i < 2 ? keyBytes[0] : i < 2 + HOT ? keyBytes[1] : keyBytes[2];
      val.reset();
      values.write(i < 2 ? i : i < 2 + HOT ? i - 2 : 0L, val);
      return true;
    }

    @Override
    public byte[] keyBuf() {
      return key;
    }

    @Override
    public int keyOff() {
      return 0;
    }

    @Override
    public int keyLen() {
      return key.length;
    }

    @Override
    public byte[] valBuf() {
      return val.getBuffer();
    }

    @Override
    public int valOff() {
      return 0;
    }

    @Override
    public int valLen() {
      return val.position();
    }
  }

  @Test
  void aHotGroupIsReadOneValueAtATimeAsTheReducerAsks() throws Exception {
    GeneratedStream in = new GeneratedStream();
    Map<String, long[]> seen = new LinkedHashMap<>();
    Reducer<String, Long, String, Long> reducer = (key, vals, ctx) -> {
      long n = 0;
      long before = in.pulled;
      for (Long v : vals) {
        // The group's first record was read to find the group; each further value exactly one.
        assertThat(in.pulled - before).as("records read ahead of value %d of %s", n, key)
            .isEqualTo(n);
        assertThat(v).isEqualTo(n);
        n++;
      }
      seen.put(key, new long[] {n});
    };
    KeyOrder order = KeyOrder.of(null, keys, String.class);
    GroupDriver<String, Long> driver = new GroupDriver<>(ATTEMPT, keys, values,
        KeyGrouping.of(null, keys, order), () -> { });
    Context<String, Long> ctx = new TaskContext<>(ATTEMPT, 1, dev.quern.api.Configuration.empty(),
        new AttemptCounters(), new ProgressTracker(TaskProgress.NONE), (k, v) -> { });
    driver.run(in, reducer, ctx);
    assertThat(seen.keySet()).containsExactly("a", "hot", "z");
    assertThat(seen.get("hot")[0]).isEqualTo(HOT);
    assertThat(driver.records()).isEqualTo(2 + HOT + 1);
  }

  @Test
  void aReducerThatStopsEarlyLeavesTheRestOfItsGroupUnread() throws Exception {
    GeneratedStream in = new GeneratedStream();
    List<String> groups = new ArrayList<>();
    Reducer<String, Long, String, Long> reducer = (key, vals, ctx) -> {
      groups.add(key);
      vals.iterator().next();
    };
    KeyOrder order = KeyOrder.of(null, keys, String.class);
    GroupDriver<String, Long> driver = new GroupDriver<>(ATTEMPT, keys, values,
        KeyGrouping.of(null, keys, order), () -> { });
    driver.run(in, reducer, new TaskContext<>(ATTEMPT, 1, dev.quern.api.Configuration.empty(),
        new AttemptCounters(), new ProgressTracker(TaskProgress.NONE), (k, v) -> { }));
    assertThat(groups).containsExactly("a", "hot", "z");
    assertThat(driver.groups()).isEqualTo(3);
  }

  /** Half the records under one key, no combiner, every memory limit a few KiB. */
  @Test
  void halfTheRecordsUnderOneKeyComeOutRight(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Map<String, Long> expected = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    int records = 60_000;
    for (int i = 0; i < records; i++) {
      String word = rnd.nextBoolean() ? "hot" : "w" + rnd.nextInt(5000);
      expected.merge(word, 1L, Long::sum);
      lines.add(word);
    }
    Path file = Files.write(Files.createDirectories(tmp.resolve("in")).resolve("skew.txt"),
        lines);
    JobSpec job = Job.builder("skew").input(tmp.resolve("in").toString())
        .output(tmp.resolve("out").toString())
        .mapper(dev.quern.worker.testjobs.WordCount.TokenizerMapper.class)
        .reducer(dev.quern.worker.testjobs.TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(3)
        .set("quern.input.split-size", String.valueOf(Files.size(file) / 6))
        .set(DataPathConfig.SORT_BUFFER_SIZE, "16k").set(DataPathConfig.SHUFFLE_MEMORY, "4k")
        .build().spec();
    LocalJobRun run = new LocalJobRun(job, tmp).run();
    // The hot group's serialized records alone are far larger than any of those limits.
    assertThat(expected.get("hot") * 13).isGreaterThan(16 * 16 * 1024);
    Map<String, Long> actual = new TreeMap<>();
    for (String line : run.outputLines()) {
      String[] kv = line.split("\t");
      assertThat(actual.put(kv[0], Long.parseLong(kv[1]))).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(run.reduceCounters().get("test", "values")).isEqualTo(records);
    assertThat(run.reduceCounters().get(TaskCounter.REDUCE_INPUT_RECORDS)).isEqualTo(records);
  }
}
