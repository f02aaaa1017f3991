package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.JobViews;
import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
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
      assertThat(Files.isDirectory(out)).isTrue();
      assertThat(WordCount.partFiles(out)).isEmpty();
      assertThat(Files.exists(out.resolve("_temporary"))).isFalse();
      assertThat(Files.exists(out.resolve("_SUCCESS"))).isFalse();
    }
  }

  @Test
  void anAttemptThatMakesNoProgressIsKilledAndCounted() throws Exception {
    Path in = input(1);
    String hook = "hang-" + UUID.randomUUID();
    long timeout = 60_000;
    // The master's clock stands still until the test moves it, so an attempt's time without
    // progress starts counting only once the test has seen the attempt wait at its gate, however
    // slowly the machine got it there. Setting an absolute time is idempotent: the next attempt
    // starts at the time set and is safe until the clock moves again.
    ManualClock clock = new ManualClock(1_000_000_000L);
    long start = clock.millis();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1), clock)) {
      JobHandle h = WordCount.job("hang", in, tmp.resolve("out"))
          .mapper(HookedJobs.GateMapper.class).set(Hooks.KEY, hook)
          .set("test.gate-attempts", 100).set("quern.task.timeout", timeout)
          .set("quern.task.max-attempts", 2).build().submit(cluster);
      assertThat(Hooks.awaitArrival(hook, WAIT)).isEqualTo(h.id() + "/m-00000/1");

      clock.set(start + timeout + 1);
      assertThat(Hooks.awaitArrival(hook, WAIT)).isEqualTo(h.id() + "/m-00000/2");
      // The master tells the worker before it publishes the view that shows the launch.
      AttemptView first = Views.await(cluster, h.id(), j -> j.maps().get(0).attempts().size() == 2,
          WAIT).maps().get(0).attempts().get(0);
      assertThat(first.state()).isEqualTo(AttemptState.FAILED);
      assertThat(first.error()).isEqualTo("attempt made no progress for " + (timeout + 1)
          + " ms (quern.task.timeout = " + timeout + ")");

      clock.set(start + 2 * (timeout + 1));
      JobStatus s = h.awaitCompletion(WAIT);
      assertThat(s.state()).as("%s within %s", h.id(), WAIT).isEqualTo(JobState.FAILED);
      assertThat(s.failure()).isEqualTo("task m-00000 failed 2 time(s); attempt " + s.id()
          + "/m-00000/2 on " + cluster.jobView(h.id()).orElseThrow().maps().get(0).attempts()
          .get(1).workerId() + ": attempt made no progress for " + (timeout + 1)
          + " ms (quern.task.timeout = " + timeout + ")");
      assertThat(s.counters().get(TaskCounter.FAILED_MAP_ATTEMPTS)).isEqualTo(2);
      assertThat(Hooks.arrivals(hook)).as("no third attempt").isEmpty();
    } finally {
      Hooks.gate(hook).countDown();
    }
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
          + "/m-00000/2 on worker-0: java.lang.IllegalStateException: flaky mapper fails");
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
      assertThat(h.status().state()).isEqualTo(JobState.KILLED);
      assertThat(Files.isDirectory(out)).isTrue();
      assertThat(WordCount.partFiles(out)).isEmpty();
      assertThat(Files.exists(out.resolve("_SUCCESS"))).isFalse();
      assertThat(Files.exists(out.resolve("_temporary"))).isFalse();
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
      try (var files = Files.list(out)) {
        assertThat(files).isEmpty();
      }
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
