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
}
