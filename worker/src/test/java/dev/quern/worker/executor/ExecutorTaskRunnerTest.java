package dev.quern.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.TextInputFormat;
import dev.quern.testkit.Await;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.testjobs.WordCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempts in real executor JVMs: a word count's maps and reduce give what the in-process runner
 * gives; a mapper that calls System.exit, one that runs out of memory and one that spins deaf to
 * its kill each fail (or end) only their attempt, with the reason, and the next attempt of the
 * job runs in a new executor.
 */
class ExecutorTaskRunnerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private ExecutorPool pool;
  private final dev.quern.worker.metrics.WorkerMetrics metrics =
      new dev.quern.worker.metrics.WorkerMetrics();
  private TaskRunner runner;

  @BeforeEach
  void startPool() {
    pool = new ExecutorPool(new ExecutorSettings("w-test", ExecutorSettings.thisJava(),
        System.getProperty("java.class.path"),
        List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "128m", Duration.ofSeconds(2),
        tmp.resolve("executors"), "127.0.0.1:1", 2), metrics);
    runner = new ExecutorTaskRunner(pool);
  }

  @AfterEach
  void stopPool() {
    pool.close();
  }

  private JobSpec job(String name, Class<? extends Mapper<?, ?, ?, ?>> mapper, int reduces,
      Map<String, String> conf) throws Exception {
    Path in = Files.createDirectories(tmp.resolve(name + "-in"));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      lines.add("w" + (i % 37) + " x" + (i % 5) + " w" + (i % 11));
    }
    Files.write(in.resolve("a.txt"), lines);
    Files.write(in.resolve("b.txt"), lines.subList(0, 700));
    Job.Builder b = Job.builder(name).input(in.toString())
        .output(tmp.resolve(name + "-out").toString())
        .mapper(mapper).reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class).reduceTasks(reduces);
    conf.forEach(b::set);
    return b.build().spec();
  }

  private List<MapTaskSpec> maps(JobSpec job, String jobId) throws Exception {
    List<InputSplit> splits = new TextInputFormat().splits(job.inputPaths(), job.configuration());
    List<MapTaskSpec> maps = new ArrayList<>();
    Path work = Files.createDirectories(tmp.resolve(jobId + "-temporary"));
    for (int i = 0; i < splits.size(); i++) {
      TaskAttemptId id = new TaskAttemptId(jobId, TaskKind.MAP, i, 1);
      maps.add(new MapTaskSpec(id, job, splits.get(i), tmp.resolve("scratch").toString(),
          work.resolve(id.dirName()).toString()));
    }
    return maps;
  }

  private static MapTaskSpec again(MapTaskSpec m, int attempt) {
    TaskAttemptId id = new TaskAttemptId(m.id().jobId(), TaskKind.MAP, m.id().taskIndex(),
        attempt);
    return new MapTaskSpec(id, m.job(), m.split(), m.scratchDir(), m.outputWorkDir());
  }

  private TaskResult run(TaskRunner r, dev.quern.worker.task.TaskSpec spec) throws Exception {
    return r.run(spec, getClass().getClassLoader(), TaskProgress.NONE, null);
  }

  @Test
  void aWordCountInExecutorsEqualsTheInProcessOne() throws Exception {
    JobSpec job = job("wc", WordCount.TokenizerMapper.class, 1, Map.of());
    Map<String, Long> viaExecutor = wordCount(runner, job, "job-0001");
    Map<String, Long> inProcess = wordCount(new PipelineTaskRunner("127.0.0.1:1",
        new dev.quern.worker.shuffle.LocalShuffleSource()), job, "job-0002");
    assertThat(viaExecutor).isEqualTo(inProcess).containsEntry("x0", 540L);
    assertThat(pool.started()).as("one executor per job").isEqualTo(1);
  }

  private Map<String, Long> wordCount(TaskRunner r, JobSpec job, String jobId) throws Exception {
    List<MapOutputRef> outputs = new ArrayList<>();
    for (MapTaskSpec m : maps(job, jobId)) {
      TaskResult res = run(r, m);
      assertThat(res.id()).isEqualTo(m.id());
      assertThat(res.counters().get(dev.quern.api.TaskCounter.MAP_INPUT_RECORDS)).isPositive();
      outputs.add(res.mapOutput());
    }
    TaskAttemptId rid = new TaskAttemptId(jobId, TaskKind.REDUCE, 0, 1);
    Path work = tmp.resolve(jobId + "-temporary").resolve(rid.dirName());
    run(r, new ReduceTaskSpec(rid, job, 0, outputs, tmp.resolve("scratch").toString(),
        work.toString()));
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(p)) {
          String[] kv = line.split("\t");
          counts.put(kv[0], Long.parseLong(kv[1]));
        }
      }
    }
    return counts;
  }

  @Test
  void anExecutorEndsWithItsJobAndWhenItsChannelCloses() throws Exception {
    JobSpec job = job("end", WordCount.TokenizerMapper.class, 1, Map.of());
    MapTaskSpec m = maps(job, "job-0006").get(0);
    run(runner, m);
    long pid = pool.views().get(0).pid();
    assertThat(ProcessHandle.of(pid)).isPresent();
    pool.jobEnded("job-0006"); // closes its stdin: the executor halts by itself
    Await.until(WAIT, "executor " + pid + " ended", () -> ProcessHandle.of(pid)
        .map(p -> !p.isAlive()).orElse(true));
    assertThat(pool.views()).isEmpty();
    Await.until(WAIT, "the end counted", () -> metricsText().contains(
        "quern_worker_executors_ended_total{reason=\"job_ended\"} 1.0"));
  }

  @Test
  void systemExitFailsTheAttemptWithItsCodeAndTheNextAttemptGetsANewExecutor()
      throws Exception {
    JobSpec job = job("exit", FaultyMappers.Exit.class, 1, Map.of());
    MapTaskSpec m = maps(job, "job-0003").get(0);
    Throwable first = failure(m);
    assertThat(first).isInstanceOf(RemoteTaskException.class);
    assertThat(first.toString()).contains("exited with code 3")
        .contains("the task called System.exit");
    assertThat(stackTrace(first)).contains(FaultyMappers.Exit.class.getName() + ".map");
    // The retry starts a new executor (and fails the same way).
    assertThat(failure(again(m, 2)).toString()).contains("exited with code 3");
    assertThat(pool.started()).isEqualTo(2);
    assertThat(metricsText()).contains("quern_worker_executors_ended_total{reason=\"exit\"} 2.0")
        .contains("quern_worker_executors_started_total 2.0");
  }

  private String metricsText() {
    return new String(dev.quern.worker.metrics.MetricsText.scrape(metrics.registry()),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  private Throwable failure(MapTaskSpec m) {
    try {
      run(runner, m);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("attempt " + m.id() + " succeeded");
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  @Test
  void runningOutOfMemoryFailsTheAttemptAsOutOfMemory() throws Exception {
    JobSpec job = job("hog", FaultyMappers.Hog.class, 1, Map.of(ExecutorKeys.MEMORY, "48m"));
    MapTaskSpec m = maps(job, "job-0004").get(0);
    assertThatThrownBy(() -> run(runner, m)).isInstanceOf(RemoteTaskException.class)
        .hasMessageContaining("ran out of memory")
        .hasMessageContaining("Java heap space")
        .hasMessageContaining("heap 48m");
    assertThat(metricsText())
        .contains("quern_worker_executors_ended_total{reason=\"out_of_memory\"} 1.0");
  }

  @Test
  void aSpinningAttemptThatIgnoresItsKillEndsItsExecutorAndTheJobRunsOn() throws Exception {
    Path marker = tmp.resolve("spinning");
    JobSpec job = job("spin", FaultyMappers.Spin.class, 1,
        Map.of("test.marker", marker.toString()));
    MapTaskSpec m = maps(job, "job-0005").get(0);
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread slot = new Thread(() -> {
      try {
        run(runner, m);
        ended.complete(null);
      } catch (Throwable t) {
        ended.complete(t);
      }
    });
    slot.start();
    Await.until(WAIT, "the mapper spins", () -> Files.exists(marker)
        && marker.toFile().length() > 0);
    long pid = Long.parseLong(Files.readString(marker));
    slot.interrupt(); // the worker's kill
    assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(InterruptedException.class);
    Await.until(WAIT, "executor " + pid + " ended", () -> ProcessHandle.of(pid)
        .map(p -> !p.isAlive()).orElse(true));
    String log = Files.readString(tmp.resolve("executors/job-0005/executor-1.stderr"));
    assertThat(log).contains("executor of job job-0005");

    // The job's next attempt (a healthy one of the same job) runs in a new executor.
    JobSpec healthy = job("spin", WordCount.TokenizerMapper.class, 1, Map.of());
    MapTaskSpec next = again(new MapTaskSpec(m.id(), healthy, m.split(), m.scratchDir(),
        m.outputWorkDir()), 2);
    assertThat(run(runner, next).mapOutput()).isNotNull();
    assertThat(pool.started()).isEqualTo(2);
  }

  /**
   * The master starts a task's next attempt once it gave up on the older one, and its kill of that
   * one may reach the worker later: the new attempt must not go into the JVM where the older one
   * still spins (and which its kill, ignored, would take down with it).
   */
  @Test
  void aNewAttemptOfATaskStillRunningHereGetsANewExecutorEvenBeforeTheKill() throws Exception {
    Path marker = tmp.resolve("spinning-before-kill");
    JobSpec job = job("spin2", FaultyMappers.Spin.class, 1,
        Map.of("test.marker", marker.toString()));
    MapTaskSpec m = maps(job, "job-0007").get(0);
    Thread slot = new Thread(() -> {
      try {
        run(runner, m);
      } catch (Throwable ignored) {
        // interrupted at the end of the test
      }
    });
    slot.start();
    try {
      Await.until(WAIT, "the mapper spins", () -> Files.exists(marker)
          && marker.toFile().length() > 0);
      long spinning = Long.parseLong(Files.readString(marker));
      JobSpec healthy = job("spin2", WordCount.TokenizerMapper.class, 1, Map.of());
      MapTaskSpec next = again(new MapTaskSpec(m.id(), healthy, m.split(), m.scratchDir(),
          m.outputWorkDir()), 2);
      assertThat(run(runner, next).mapOutput()).isNotNull();
      // It ran in the job's new executor, while the older attempt's JVM still lives (replaced).
      assertThat(pool.views()).extracting(ExecutorPool.View::pid).hasSize(1)
          .doesNotContain(spinning);
      assertThat(ProcessHandle.of(spinning).map(ProcessHandle::isAlive)).contains(true);
    } finally {
      pool.jobEnded("job-0007");
      slot.interrupt();
      slot.join(WAIT.toMillis());
    }
  }
}
