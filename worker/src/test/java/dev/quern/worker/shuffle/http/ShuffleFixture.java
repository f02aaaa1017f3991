package dev.quern.worker.shuffle.http;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.testjobs.WordCount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Word-count map outputs made by the real map pipeline, and reduces over them. */
final class ShuffleFixture {
  static final String JOB_ID = "job-0007";
  static final int REDUCES = 3;

  final JobSpec job;
  final Path dir;
  /** Word counts of every input written so far, counted independently of the engine. */
  final Map<String, Long> expected = new TreeMap<>();
  private int maps;

  ShuffleFixture(Path dir, boolean compress, String shuffleMemory, Map<String, String> extra) {
    this.dir = dir;
    Job.Builder b = Job.builder("wc").input(dir.resolve("in").toString())
        .output(dir.resolve("out").toString()).mapper(WordCount.TokenizerMapper.class)
        .reducer(WordCount.SumReducer.class).mapOutput(String.class, Long.class)
        .reduceTasks(REDUCES).set(DataPathConfig.COMPRESS, Boolean.toString(compress))
        .set(DataPathConfig.SHUFFLE_MEMORY, shuffleMemory);
    extra.forEach(b::set);
    this.job = b.build().spec();
  }

  /**
   * Runs one map attempt over {@code lines} seeded lines, through {@code runner} (which names the
   * output's host), with its files under {@code dataDir}.
   */
  MapOutputRef map(TaskRunner runner, Path dataDir, SplittableRandom rnd, int lines)
      throws Exception {
    int index = maps++;
    Path in = Files.createDirectories(dir.resolve("in")).resolve("f" + index + ".txt");
    List<String> text = new ArrayList<>();
    for (int l = 0; l < lines; l++) {
      StringBuilder line = new StringBuilder();
      int words = rnd.nextInt(10);
      for (int w = 0; w < words; w++) {
        String word = "w" + (int) Math.abs(rnd.nextGaussian() * 400) + (rnd.nextInt(40) == 0
            ? "é" : "");
        expected.merge(word, 1L, Long::sum);
        line.append(word).append(' ');
      }
      text.add(line.toString());
    }
    Files.write(in, text, StandardCharsets.UTF_8);
    TaskAttemptId id = new TaskAttemptId(JOB_ID, TaskKind.MAP, index, 1);
    return runner.run(new MapTaskSpec(id, job, new FileSplit(in.toString(), 0, Files.size(in),
        List.of()), dataDir.resolve("maps").toString(),
        dir.resolve("mapwork").resolve(id.dirName()).toString()),
        getClass().getClassLoader(), TaskProgress.NONE).mapOutput();
  }

  /** Runs reduce {@code partition} over {@code refs} reading through {@code source}. */
  List<String> reduce(String name, int partition, List<MapOutputRef> refs, ShuffleSource source)
      throws Exception {
    TaskAttemptId id = new TaskAttemptId(JOB_ID, TaskKind.REDUCE, partition, 1);
    Path work = dir.resolve("reduce-" + name).resolve(id.dirName());
    // The job's OUT/_temporary, which the master's job setup makes before any attempt runs.
    Files.createDirectories(work.getParent());
    new PipelineTaskRunner("reducer", source).run(new ReduceTaskSpec(id, job, partition, refs,
        dir.resolve("rscratch-" + name).toString(), work.toString()),
        getClass().getClassLoader(), TaskProgress.NONE);
    return Files.readAllLines(work.resolve(String.format("part-r-%05d", partition)),
        StandardCharsets.UTF_8);
  }

  /** Every reduce's output lines, in partition order. */
  List<String> reduceAll(String name, List<MapOutputRef> refs, ShuffleSource source)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int p = 0; p < REDUCES; p++) {
      lines.addAll(reduce(name, p, refs, source));
    }
    return lines;
  }

  static Map<String, Long> counts(List<String> lines) {
    Map<String, Long> m = new TreeMap<>();
    for (String line : lines) {
      String[] kv = line.split("\t");
      if (m.put(kv[0], Long.parseLong(kv[1])) != null) {
        throw new AssertionError("duplicate key " + kv[0]);
      }
    }
    return m;
  }
}
