package dev.quern.worker.testjobs;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a whole job through {@link PipelineTaskRunner} on the test's thread: every map attempt,
 * then every reduce attempt, with files under a temp directory.
 */
public final class LocalJobRun {
  public final List<TaskResult> mapResults = new ArrayList<>();
  public final List<TaskResult> reduceResults = new ArrayList<>();
  public final Path workRoot;
  private final JobSpec job;
  private final Path dir;
  private final PipelineTaskRunner runner = new PipelineTaskRunner();

  public LocalJobRun(JobSpec job, Path dir) {
    this.job = job;
    this.dir = dir;
    this.workRoot = dir.resolve("out").resolve("_temporary");
  }

  @SuppressWarnings("unchecked")
  public LocalJobRun run() throws Exception {
    // The master's job setup: attempts create their directories only under it.
    java.nio.file.Files.createDirectories(workRoot);
    InputFormat<Object, Object> format = (InputFormat<Object, Object>) Class
        .forName(job.inputFormat()).getConstructor().newInstance();
    List<InputSplit> splits = format.splits(job.inputPaths(), job.configuration());
    List<MapOutputRef> refs = new ArrayList<>();
    for (int i = 0; i < splits.size(); i++) {
      TaskAttemptId id = new TaskAttemptId("job-1", TaskKind.MAP, i, 1);
      TaskResult r = runner.run(new MapTaskSpec(id, job, splits.get(i),
          dir.resolve("scratch").toString(), workRoot.resolve(id.dirName()).toString()),
          getClass().getClassLoader(), TaskProgress.NONE);
      mapResults.add(r);
      if (r.mapOutput() != null) {
        refs.add(r.mapOutput());
      }
    }
    for (int p = 0; p < job.reduceTasks(); p++) {
      TaskAttemptId id = new TaskAttemptId("job-1", TaskKind.REDUCE, p, 1);
      reduceResults.add(runner.run(new ReduceTaskSpec(id, job, p, refs,
          dir.resolve("scratch").toString(), workRoot.resolve(id.dirName()).toString()),
          getClass().getClassLoader(), TaskProgress.NONE));
    }
    return this;
  }

  public Counters mapCounters() {
    Counters c = new Counters();
    mapResults.forEach(r -> c.add(r.counters()));
    return c;
  }

  public Counters reduceCounters() {
    Counters c = new Counters();
    reduceResults.forEach(r -> c.add(r.counters()));
    return c;
  }

  /** Every line of every part file, in part-file order. */
  public List<String> outputLines() throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path p : partFiles()) {
      lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
    }
    return lines;
  }

  public List<Path> partFiles() throws IOException {
    try (Stream<Path> s = Files.walk(workRoot)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-"))
          .sorted((a, b) -> a.getFileName().compareTo(b.getFileName())).toList();
    }
  }
}
