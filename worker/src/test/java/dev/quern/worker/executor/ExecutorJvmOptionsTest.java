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
 * stdout, the channel to the worker) still runs its attempts, and a GC log and a collector of the
 * worker's options still apply; given no collector, an executor runs on the parallel one.
 */
class ExecutorJvmOptionsTest {
  @TempDir Path tmp;

  @Test
  void anExecutorStartedWithAFlightRecordingRunsItsMap() throws Exception {
    Path recordings = Files.createDirectories(tmp.resolve("jfr"));
    Path gcLog = tmp.resolve("gc.log");
    runMap("w-opts", List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:StartFlightRecording=filename=" + recordings + "/", "-Xlog:gc:file=" + gcLog));
    // The worker's own -Xlog still applies after the executor's defaults, and so does its
    // collector: none of the executor's own is added beside it.
    assertThat(Files.readString(gcLog)).contains("Using Serial");
  }

  @Test
  void anExecutorGivenNoCollectorRunsOnTheParallelOne() throws Exception {
    Path gcLog = tmp.resolve("gc-default.log");
    runMap("w-gc", List.of("-XX:TieredStopAtLevel=1", "-Xlog:gc*:file=" + gcLog));
    String log = Files.readString(gcLog);
    assertThat(log).contains("Using Parallel");
    // -Xlog:gc+init prints the heap's page policy: ordinary pages, no huge pages asked for.
    assertThat(log).contains("Large Page Support: Disabled");
  }

  /** Runs a word count's map of 500 lines in an executor of these JVM options. */
  private void runMap(String workerId, List<String> javaOptions) throws Exception {
    try (ExecutorPool pool = new ExecutorPool(new ExecutorSettings(workerId,
        ExecutorSettings.thisJava(), System.getProperty("java.class.path"), javaOptions,
        "128m", Duration.ofSeconds(2), tmp.resolve("executors-" + workerId), "127.0.0.1:1", 2,
        false))) {
      Path in = Files.createDirectories(tmp.resolve("in-" + workerId));
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        lines.add("w" + (i % 13) + " x" + (i % 3));
      }
      Files.write(in.resolve("a.txt"), lines);
      JobSpec job = Job.builder("opts").input(in.toString())
          .output(tmp.resolve("out-" + workerId).toString())
          .mapper(WordCount.TokenizerMapper.class).reducer(WordCount.SumReducer.class)
          .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
      List<InputSplit> splits = new TextInputFormat().splits(job.inputPaths(),
          job.configuration());
      TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1);
      Path work = Files.createDirectories(tmp.resolve("temporary-" + workerId));
      TaskResult r = new ExecutorTaskRunner(pool).run(new MapTaskSpec(id, job, splits.get(0),
          tmp.resolve("scratch-" + workerId).toString(), work.resolve(id.dirName()).toString()),
          getClass().getClassLoader(), TaskProgress.NONE, null);
      assertThat(r.id()).isEqualTo(id);
      assertThat(r.counters().get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(500L);
      assertThat(r.mapOutput()).isNotNull();
    }
  }
}
