package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.commit.SuccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndToEndTest {
  private static final long SEED = 20261126L;

  @TempDir Path tmp;

  @Test
  void wordCountRunsAndCommits() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 3, 400);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = WordCount.job("wc", input, out).reduceTasks(2)
          .set("quern.input.split-size", "2k").build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(input));
      assertThat(Files.exists(out.resolve("_temporary"))).isFalse();
      assertThat(WordCount.partFiles(out)).extracting(p -> p.getFileName().toString())
          .containsExactly("part-r-00000", "part-r-00001");
      SuccessFile success = JobCommitter.readSuccess(out.resolve("_SUCCESS"));
      assertThat(success.jobId()).isEqualTo(s.id());
      assertThat(success.name()).isEqualTo("wc");
      assertThat(success.endTime()).isGreaterThanOrEqualTo(success.startTime());
      assertThat(success.startTime()).isGreaterThanOrEqualTo(success.submitTime());
      assertThat(s.counters().get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(3 * 400);
      assertThat(success.counters().get("quern").get("MAP_INPUT_RECORDS")).isEqualTo(3 * 400);
      assertThat(s.mapProgress()).isEqualTo(1.0);
      assertThat(cluster.jobs()).extracting(JobStatus::id).containsExactly(s.id());
    }
  }

  @ParameterizedTest(name = "workers={0} slots={1} split={2} reduces={3}")
  @CsvSource({"1, 1, 64m, 1", "3, 2, 1k, 3", "2, 3, 3k, 0", "4, 1, 700, 5"})
  void outputDoesNotDependOnTheShapeOfTheCluster(int workers, int slots, String split,
      int reduces) throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 4, 300);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(workers, slots))) {
      JobStatus s = WordCount.job("wc", input, out).reduceTasks(reduces)
          .set("quern.input.split-size", split).build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      Map<String, Long> expected = WordCount.expected(input);
      if (reduces > 0) {
        assertThat(WordCount.readOutput(out)).isEqualTo(expected);
      } else {
        assertThat(MapOnly.sumCounts(out)).isEqualTo(expected);
      }
    }
  }

  @Test
  @SuppressWarnings("try")
  void listenersSeeEveryStateInOrderAndConcurrentJobsBothSucceed() throws Exception {
    Path inA = WordCount.writeInput(tmp.resolve("a"), SEED, 2, 200);
    Path inB = WordCount.writeInput(tmp.resolve("b"), SEED + 1, 3, 200);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 2))) {
      java.util.List<JobState> statesOfA = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.atomic.AtomicInteger workerEvents =
          new java.util.concurrent.atomic.AtomicInteger();
      try (AutoCloseable l = cluster.addListener(e -> {
        if (e instanceof dev.quern.master.engine.ClusterEvent.JobUpdated u
            && u.job().id().equals("job-0001")) {
          if (statesOfA.isEmpty() || statesOfA.get(statesOfA.size() - 1) != u.job().state()) {
            statesOfA.add(u.job().state());
          }
        } else if (e instanceof dev.quern.master.engine.ClusterEvent.WorkersUpdated) {
          workerEvents.incrementAndGet();
        }
      })) {
        var a = WordCount.job("a", inA, tmp.resolve("outA")).reduceTasks(2).build()
            .submit(cluster);
        var b = WordCount.job("b", inB, tmp.resolve("outB")).reduceTasks(3).build()
            .submit(cluster);
        assertThat(a.id()).isEqualTo("job-0001");
        assertThat(a.awaitCompletion(Duration.ofMinutes(2)).state())
            .isEqualTo(JobState.SUCCEEDED);
        assertThat(b.awaitCompletion(Duration.ofMinutes(2)).state())
            .isEqualTo(JobState.SUCCEEDED);
      }
      assertThat(WordCount.readOutput(tmp.resolve("outA"))).isEqualTo(WordCount.expected(inA));
      assertThat(WordCount.readOutput(tmp.resolve("outB"))).isEqualTo(WordCount.expected(inB));
      assertThat(statesOfA).containsSubsequence(JobState.RUNNING, JobState.COMMITTING,
          JobState.SUCCEEDED);
      assertThat(statesOfA.get(statesOfA.size() - 1)).isEqualTo(JobState.SUCCEEDED);
      assertThat(workerEvents.get()).isPositive();
      assertThat(cluster.workers()).hasSize(2).allMatch(w -> w.runningAttempts().isEmpty());
    }
  }

  @Test
  void anEmptyInputGivesEmptyOutput() throws Exception {
    Path input = Files.createDirectories(tmp.resolve("empty"));
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      JobStatus s = WordCount.job("empty", input, out).reduceTasks(2).build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEmpty();
      assertThat(Files.exists(out.resolve("_SUCCESS"))).isTrue();
    }
  }

  @Test
  void mapTasksStartLargestSplitFirst() throws Exception {
    Path input = Files.createDirectories(tmp.resolve("sized"));
    java.util.Random rnd = new java.util.Random(SEED);
    int[] lines = {50, 400, 10, 200};
    for (int f = 0; f < lines.length; f++) {
      StringBuilder sb = new StringBuilder();
      for (int l = 0; l < lines[f]; l++) {
        sb.append("w").append(rnd.nextInt(50)).append(' ').append("v").append(rnd.nextInt(9))
            .append('\n');
      }
      Files.writeString(input.resolve("f" + f + ".txt"), sb);
    }
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      JobStatus s = WordCount.job("order", input, tmp.resolve("out")).build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).isEqualTo(JobState.SUCCEEDED);
      var view = cluster.jobView(s.id()).orElseThrow();
      java.util.List<Integer> started = cluster.journal().events().stream()
          .filter(e -> e instanceof dev.quern.master.engine.JobEvent.AttemptStarted a
              && a.attempt().kind() == dev.quern.worker.task.TaskKind.MAP)
          .map(e -> ((dev.quern.master.engine.JobEvent.AttemptStarted) e).attempt().taskIndex())
          .toList();
      // The splits are the files in name order: f0 (50 lines), f1 (400), f2 (10), f3 (200).
      assertThat(view.maps()).extracting(t -> t.input().substring(t.input().lastIndexOf('/') + 1,
          t.input().indexOf(':', t.input().lastIndexOf('/')))).containsExactly(
          "f0.txt", "f1.txt", "f2.txt", "f3.txt");
      assertThat(started).containsExactly(1, 3, 0, 2);
    }
  }
}
