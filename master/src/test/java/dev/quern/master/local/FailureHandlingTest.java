package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.JobViews;
import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import dev.quern.testkit.Await;
import dev.quern.worker.shuffle.LocalShuffleSource;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureHandlingTest {
  private static final long SEED = 7L;
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path tmp;

  private Path input(int files) throws Exception {
    return WordCount.writeInput(tmp.resolve("in"), SEED, files, 200);
  }

  @Test
  void aTaskThatFailsTwiceSucceedsOnItsThirdAttempt() throws Exception {
    Path in = input(1);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = WordCount.job("flaky", in, out).mapper(HookedJobs.FlakyMapper.class)
          .set("test.fail-attempts", 2).build().submit(cluster).awaitCompletion(WAIT);

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(in));
      TaskView map = cluster.jobView(s.id()).orElseThrow().maps().get(0);
      assertThat(map.attempts()).extracting(AttemptView::state)
          .containsExactly(AttemptState.FAILED, AttemptState.FAILED, AttemptState.SUCCEEDED);
      assertThat(map.attempts().get(0).error()).contains("flaky mapper fails attempt");
      assertThat(s.counters().get(TaskCounter.FAILED_MAP_ATTEMPTS)).isEqualTo(2);
      assertThat(s.counters().get(TaskCounter.LAUNCHED_MAP_ATTEMPTS)).isEqualTo(3);

      // The journal of applied events rebuilds the master's book exactly.
      JobView replayed = JobViews.of(cluster.journal().replay().job(s.id()), Map.of());
      assertThat(replayed).isEqualTo(cluster.jobView(s.id()).orElseThrow());
    }
  }

  @Test
  void aTaskThatAlwaysFailsFailsTheJobWithItsStackTrace() throws Exception {
    Path in = input(1);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = WordCount.job("doomed", in, out).mapper(HookedJobs.FlakyMapper.class)
          .set("test.fail-attempts", 100).build().submit(cluster).awaitCompletion(WAIT);

      assertThat(s.state()).isEqualTo(JobState.FAILED);
      assertThat(s.failure())
          .contains("task m-00000 failed 4 time(s)")
          .contains("java.lang.IllegalStateException: flaky mapper fails attempt "
              + s.id() + "/m-00000/4")
          .contains("at dev.quern.master.local.HookedJobs$FlakyMapper.setup(");
      assertThat(cluster.jobView(s.id()).orElseThrow().maps().get(0).attempts()).hasSize(4)
          .allMatch(a -> a.state() == AttemptState.FAILED && a.stackTrace() != null);
      // The job created the output directory, so it removed it: the command can run again.
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void anAttemptThatMakesNoProgressIsKilledAndCounted() throws Exception {
    Path in = input(1);
    String hook = "hang-" + UUID.randomUUID();
    long timeout = 60_000;
    // The master's clock stands still until the test moves it, so an attempt's time without
    // progress starts counting only once the test has seen it wait at its gate, however slowly
    // the machine got it there.
    ManualClock clock = new ManualClock(1_000_000_000L);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1), clock)) {
      JobHandle h = WordCount.job("hang", in, tmp.resolve("out"))
          .mapper(HookedJobs.GateMapper.class).set(Hooks.KEY, hook)
          .set("test.gate-attempts", 100).set("quern.task.timeout", timeout)
          .set("quern.task.max-attempts", 2).build().submit(cluster);
      String first = h.id() + "/m-00000/1";
      String second = h.id() + "/m-00000/2";
      assertThat(Hooks.awaitArrival(hook, WAIT)).isEqualTo(first);
      advanceUntilFailed(clock, cluster, first, timeout + 1);
      assertThat(Hooks.awaitArrival(hook, WAIT)).isEqualTo(second);
      // The master tells the worker before it publishes the view that shows the launch.
      AttemptView failed = Views.await(cluster, h.id(),
          j -> j.maps().get(0).attempts().size() == 2, WAIT).maps().get(0).attempts().get(0);
      assertThat(failed.state()).isEqualTo(AttemptState.FAILED);
      assertNoProgress(failed.error(), timeout);

      advanceUntilFailed(clock, cluster, second, timeout + 1);
      JobStatus s = h.awaitCompletion(WAIT);
      assertThat(s.state()).as("%s within %s", h.id(), WAIT).isEqualTo(JobState.FAILED);
      String worker = cluster.jobView(h.id()).orElseThrow().maps().get(0).attempts().get(1)
          .workerId();
      String prefix = "task m-00000 failed 2 time(s); attempt " + second + " on " + worker + ": ";
      assertThat(s.failure()).startsWith(prefix);
      assertNoProgress(s.failure().substring(prefix.length()), timeout);
      assertThat(s.counters().get(TaskCounter.FAILED_MAP_ATTEMPTS)).isEqualTo(2);
      assertThat(Hooks.arrivals(hook)).as("no third attempt").isEmpty();
    } finally {
      Hooks.gate(hook).countDown();
    }
  }

  /** The reason of a timed-out attempt: it went unheard for longer than {@code timeout} ms. */
  private static void assertNoProgress(String reason, long timeout) {
    Matcher m = Pattern.compile("attempt made no progress for (\\d+) ms \\(quern\\.task\\.timeout = "
        + timeout + "\\)").matcher(reason);
    assertThat(m.matches()).as("reason: %s", reason).isTrue();
    assertThat(Long.parseLong(m.group(1))).as(reason).isGreaterThan(timeout);
  }

  /**
   * Moves the master's clock on by {@code step} (more than the timeout) until the master has
   * recorded {@code attempt} as failed. One move is not always enough: the worker reports an
   * attempt running after it has handed it to a slot thread, so the report may reach the master
   * after the attempt reached its gate, and after the move, and count as progress at the new
   * time. Moving again cannot cut short the next attempt: the master records the failure before
   * it launches the next attempt, and each move checks the record under the clock's lock, so the
   * launch reads the clock only after the last move.
   */
  private static void advanceUntilFailed(ManualClock clock, LocalCluster cluster, String attempt,
      long step) {
    Await.until(WAIT, "the master to fail " + attempt + " for making no progress",
        () -> clock.advanceUnless(() -> cluster.journal().events().stream().anyMatch(e ->
            e instanceof JobEvent.AttemptFailed f && f.attempt().toString().equals(attempt)),
            step));
  }

  @Test
  void maxAttemptsIsConfigurable() throws Exception {
    Path in = input(1);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      JobStatus s = WordCount.job("twice", in, tmp.resolve("out"))
          .mapper(HookedJobs.FlakyMapper.class).set("test.fail-attempts", 100)
          .set("quern.task.max-attempts", 2).build().submit(cluster).awaitCompletion(WAIT);
      assertThat(s.state()).isEqualTo(JobState.FAILED);
      assertThat(s.failure()).startsWith("task m-00000 failed 2 time(s); attempt " + s.id()
          + "/m-00000/2 on worker-0: input " + in.resolve("in-0.txt") + " bytes 0-"
          + Files.size(in.resolve("in-0.txt")) + ": java.lang.IllegalStateException: flaky "
          + "mapper fails");
    }
  }

  @Test
  void aTaskOnAStoppedWorkerRunsAgainElsewhere() throws Exception {
    Path in = input(2);
    Path out = tmp.resolve("out");
    String hook = "stop-" + UUID.randomUUID();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(3, 1))) {
      JobHandle h = WordCount.job("lost-worker", in, out).mapper(HookedJobs.GateMapper.class)
          .set(Hooks.KEY, hook).set("test.gate-task", 0).reduceTasks(2).build().submit(cluster);
      String first = Hooks.awaitArrival(hook, WAIT);
      assertThat(first).isEqualTo(h.id() + "/m-00000/1");
      String worker = cluster.jobView(h.id()).orElseThrow().maps().get(0).attempts().get(0)
          .workerId();

      cluster.stopWorker(Integer.parseInt(worker.substring(worker.indexOf('-') + 1)));
      JobStatus s = h.awaitCompletion(WAIT);
      Hooks.gate(hook).countDown();

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(in));
      assertThat(cluster.workerCount()).isEqualTo(2);
      TaskView map = cluster.jobView(h.id()).orElseThrow().maps().get(0);
      assertThat(map.attempts()).hasSize(2);
      assertThat(map.attempts().get(0).state()).isEqualTo(AttemptState.KILLED);
      assertThat(map.attempts().get(0).error()).contains("worker " + worker + " was lost");
      assertThat(map.attempts().get(1).state()).isEqualTo(AttemptState.SUCCEEDED);
      assertThat(map.attempts().get(1).workerId()).isNotEqualTo(worker);
      assertThat(s.counters().get(TaskCounter.FAILED_MAP_ATTEMPTS)).isZero();
    }
  }

  @Test
  void aCorruptedMapOutputIsDetectedAndTheMapRunsAgain() throws Exception {
    Path in = input(2);
    // Map 0's output is made larger than a map output the host keeps in memory from the map's
    // end (a small one is never read from its file again, so damage to the file would not
    // matter): 12,000 distinct words.
    StringBuilder words = new StringBuilder();
    for (int i = 0; i < 12_000; i++) {
      words.append("unique").append(i).append(i % 10 == 9 ? '\n' : ' ');
    }
    Files.writeString(in.resolve("in-0.txt"), words);
    Path out = tmp.resolve("out");
    String hook = "corrupt-" + UUID.randomUUID();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      // Map 1 waits at the gate, so the reduce cannot start before map 0's output is damaged.
      JobHandle h = WordCount.job("corrupt", in, out).mapper(HookedJobs.GateMapper.class)
          .set(Hooks.KEY, hook).set("test.gate-task", 1).build().submit(cluster);
      Hooks.awaitArrival(hook, WAIT);
      JobView v = Views.await(cluster, h.id(),
          j -> j.maps().get(0).state() == TaskState.DONE, WAIT);
      Path data = Path.of(v.maps().get(0).mapOutputFile());
      assertThat(Files.size(data)).isGreaterThan(LocalShuffleSource.SMALL_OUTPUT_BYTES);
      flipByte(data, Files.size(data) / 2);

      Hooks.gate(hook).countDown();
      JobStatus s = h.awaitCompletion(WAIT);

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(in));
      JobView end = cluster.jobView(h.id()).orElseThrow();
      assertThat(end.maps().get(0).attempts()).extracting(AttemptView::state)
          .containsExactly(AttemptState.OUTPUT_LOST, AttemptState.SUCCEEDED);
      assertThat(end.reduces().get(0).attempts()).extracting(AttemptView::state)
          .containsExactly(AttemptState.FAILED, AttemptState.SUCCEEDED);
      assertThat(end.reduces().get(0).attempts().get(0).error()).contains("input lost");
      assertThat(s.counters().get(TaskCounter.FAILED_REDUCE_ATTEMPTS)).isEqualTo(1);
      assertThat(JobViews.of(cluster.journal().replay().job(s.id()), Map.of())).isEqualTo(end);
    }
  }

  @Test
  void aKilledJobLeavesNoOutput() throws Exception {
    Path in = input(2);
    Path out = tmp.resolve("out");
    String hook = "kill-" + UUID.randomUUID();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobHandle h = WordCount.job("killed", in, out).mapper(HookedJobs.GateMapper.class)
          .set(Hooks.KEY, hook).set("test.gate-task", 0).set("test.gate-attempts", 100)
          .build().submit(cluster);
      Hooks.awaitArrival(hook, WAIT);
      assertThat(h.status().state()).isEqualTo(JobState.RUNNING);
      assertThat(h.awaitCompletion(Duration.ofMillis(100)).state()).isEqualTo(JobState.RUNNING);

      h.kill();
      assertThat(h.status().state()).isEqualTo(JobState.KILLED);
      JobStatus s = h.awaitCompletion(WAIT);

      assertThat(s.state()).isEqualTo(JobState.KILLED);
      assertThat(s.failure()).matches("killed by the driver \\(JobHandle\\.kill\\) at "
          + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(h.status().state()).isEqualTo(JobState.KILLED);
      assertThat(out).doesNotExist();
      assertThat(cluster.jobView(h.id()).orElseThrow().maps().get(0).attempts().get(0).state())
          .isEqualTo(AttemptState.KILLED);
      assertThat(cluster.kill(h.id())).isFalse();
    } finally {
      Hooks.gate(hook).countDown();
    }
  }

  @Test
  void aFailedJobCommitLeavesNoOutput() throws Exception {
    Path in = input(2);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = WordCount.job("collide", in, out).reduceTasks(0)
          .outputFormat(HookedJobs.FixedNameOutputFormat.class).build().submit(cluster)
          .awaitCompletion(WAIT);

      assertThat(s.state()).isEqualTo(JobState.FAILED);
      assertThat(s.failure()).startsWith("job commit failed: ").contains("two tasks wrote");
      assertThat(out).doesNotExist();
    }
  }

  private static void flipByte(Path file, long offset) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0xFF));
      b.rewind();
      ch.write(b, offset);
    }
  }
}
