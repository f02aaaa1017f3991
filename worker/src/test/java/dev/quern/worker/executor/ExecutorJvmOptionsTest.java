package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.TextInputFormat;
import dev.quern.worker.task.MapTaskSpec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor whose JVM options start a flight recording (whose start notice the JVM prints on
 * stdout, the channel to the worker) still runs its attempts, and a GC log of the worker's
 * options still applies.
 */
class ExecutorJvmOptionsTest {
  @TempDir Path tmp;

  @Test
  void anExecutorStartedWithAFlightRecordingRunsItsMap() throws Exception {
    Path recordings = Files.createDirectories(tmp.resolve("jfr"));
    try (ExecutorPool pool = new ExecutorPool(new ExecutorSettings("w-opts",
        ExecutorSettings.thisJava(), System.getProperty("java.class.path"),
        List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:StartFlightRecording=filename=" + recordings + "/",
            "-Xlog:gc:file=" + tmp.resolve("gc.log")),
        "128m", Duration.ofSeconds(2), tmp.resolve("executors"), "127.0.0.1:1", 2, false))) {
      Path in = Files.createDirectories(tmp.resolve("in"));
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        lines.add("w" + (i % 13) + " x" + (i % 3));
      }
      Files.write(in.resolve("a.txt"), lines);
      JobSpec job = Job.builder("opts").input(in.toString())
          .output(tmp.resolve("out").toString())
          .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
          .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
      List<InputSplit> splits = new TextInputFormat().splits(job.inputPaths(),
          job.configuration());
      TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1);
      Path work = Files.createDirectories(tmp.resolve("temporary"));
      TaskResult r = new ExecutorTaskRunner(pool).run(new MapTaskSpec(id, job, splits.get(0),
          tmp.resolve("scratch").toString(), work.resolve(id.dirName()).toString()),
          getClass().getClassLoader(), TaskProgress.NONE, null);
      assertThat(r.id()).isEqualTo(id);
      assertThat(r.counters().get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(500L);
      assertThat(r.mapOutput()).isNotNull();
      // The worker's own -Xlog still applies after the executor's defaults.
      assertThat(Files.readString(tmp.resolve("gc.log"))).contains("Using Serial");
    }
  }
}
