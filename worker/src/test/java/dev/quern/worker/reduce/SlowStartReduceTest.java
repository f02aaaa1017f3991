package dev.quern.worker.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduce attempt started with one of its maps' outputs (slow start) learns of the others as
 * they appear, replaces one whose map ran again, reduces only once it holds one per map, and
 * writes what an independent count of the input says.
 */
@ExtendWith(Seeds.class)
class SlowStartReduceTest {
  private static final int MAPS = 4;
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void reduceStartedWithOneMapOutputGetsTheRestLaterAndCountsRight(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    Path in = Files.createDirectories(tmp.resolve("in"));
    Map<String, Long> expected = new TreeMap<>();
    List<InputSplit> splits = new ArrayList<>();
    for (int f = 0; f < MAPS; f++) {
      List<String> lines = new ArrayList<>();
      for (int l = 0; l < 3000; l++) {
        StringBuilder line = new StringBuilder();
        for (int w = rnd.nextInt(10); w > 0; w--) {
          String word = "w" + rnd.nextInt(500);
          expected.merge(word, 1L, Long::sum);
          line.append(word).append(' ');
        }
        lines.add(line.toString());
      }
      Path file = in.resolve("f" + f + ".txt");
      Files.write(file, lines);
      splits.add(new FileSplit(file.toString(), 0, Files.size(file), List.of()));
    }
    Path out = tmp.resolve("out");
    Path work = Files.createDirectories(out.resolve("_temporary"));
    JobSpec job = Job.builder("wc").input(in.toString()).output(out.toString())
        .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    PipelineTaskRunner runner = new PipelineTaskRunner();
    String scratch = tmp.resolve("scratch").toString();
    List<MapOutputRef> outputs = new ArrayList<>();
    for (int i = 0; i < MAPS; i++) {
      outputs.add(runMap(runner, job, splits.get(i), i, 1, scratch, work));
    }
    // Map 1 "ran twice": its first attempt's output is map 2's files under map 1's name, so a
    // reduce that kept it instead of the second attempt's would count map 2 twice, map 1 never.
    MapOutputRef m2 = outputs.get(2);
    MapOutputRef obsolete = new MapOutputRef(1, mapId(1, 1), m2.host(), m2.dataFile(),
        m2.indexFile());
    MapOutputRef rerun = runMap(runner, job, splits.get(1), 1, 2, scratch, work);

    TaskAttemptId id = new TaskAttemptId("job-1", TaskKind.REDUCE, 0, 1);
    ReduceTaskSpec spec = new ReduceTaskSpec(id, job, 0, List.of(outputs.get(0)), scratch,
        work.resolve(id.dirName()).toString(), MAPS);
    MapOutputFeed feed = new MapOutputFeed(spec.inputs());
    float[] progress = new float[1];
    TaskProgress sink = f -> {
      synchronized (progress) {
        progress[0] = f;
      }
    };
    CompletableFuture<TaskResult> reduce = CompletableFuture.supplyAsync(() -> {
      try {
        return runner.run(spec, getClass().getClassLoader(), sink, feed);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    awaitHeld(progress, 1);
    feed.update(List.of(obsolete), List.of());
    awaitHeld(progress, 2); // the obsolete output is fetched and held
    feed.update(List.of(rerun), List.of(obsolete.attempt()));
    feed.update(List.of(outputs.get(3)), List.of());
    // A stale withdrawal (of the map's first attempt, after its second's output) changes nothing.
    feed.update(List.of(), List.of(obsolete.attempt()));
    assertThat(reduce).isNotDone();
    feed.update(List.of(m2), List.of());
    TaskResult result = reduce.get(BOUND.toSeconds(), TimeUnit.SECONDS);

    Map<String, Long> actual = new TreeMap<>();
    Path part = work.resolve(id.dirName()).resolve("part-r-00000");
    for (String line : Files.readAllLines(part)) {
      String[] kv = line.split("\t");
      assertThat(actual.put(kv[0], Long.parseLong(kv[1]))).as("duplicate key " + kv[0]).isNull();
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(result.counters().get(TaskCounter.REDUCE_INPUT_RECORDS))
        .isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
  }

  /** Waits until the reduce reported holding {@code n} of the maps' outputs (its shuffle phase). */
  private static void awaitHeld(float[] progress, int n) {
    float want = ReduceTask.SHUFFLE_END * n / MAPS;
    Await.until(BOUND, "reduce holds " + n + " map outputs", () -> {
      synchronized (progress) {
        return progress[0] >= want - 1e-6f;
      }
    });
  }

  private static TaskAttemptId mapId(int index, int attempt) {
    return new TaskAttemptId("job-1", TaskKind.MAP, index, attempt);
  }

  private MapOutputRef runMap(PipelineTaskRunner runner, JobSpec job, InputSplit split, int index,
      int attempt, String scratch, Path work) throws Exception {
    TaskAttemptId id = mapId(index, attempt);
    TaskResult r = runner.run(new MapTaskSpec(id, job, split, scratch,
        work.resolve(id.dirName()).toString()), getClass().getClassLoader(), TaskProgress.NONE);
    assertThat(r.mapOutput()).isNotNull();
    return r.mapOutput();
  }
}
