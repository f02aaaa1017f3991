package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quern.reduce.tasks (and Hadoop's name for it) and the warnings for unknown quern.* keys. */
class JobKeysTest {
  @TempDir Path tmp;

  @Test
  void theReduceTaskKeyOverridesTheDriversCount() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 7L, 2, 50);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      Path out3 = tmp.resolve("out3");
      JobStatus s = WordCount.job("wc", in, out3).reduceTasks(1).set(JobKeys.REDUCE_TASKS, "3")
          .build().submit(cluster).awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.partFiles(out3)).hasSize(3);
      assertThat(WordCount.readOutput(out3)).isEqualTo(WordCount.expected(in));

      Path outHadoop = tmp.resolve("outHadoop");
      JobStatus h = WordCount.job("wc", in, outHadoop).reduceTasks(1)
          .set(JobKeys.HADOOP_REDUCE_TASKS, "2").build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));
      assertThat(h.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.partFiles(outHadoop)).hasSize(2);
      assertThat(cluster.jobView(h.id()).orElseThrow().reduces()).hasSize(2);
    }
  }

  @Test
  void unknownKeysAreNamedWithTheClosestKnownOne() {
    assertThat(JobKeys.unknownKeyWarnings(Map.of(
        "quern.map.sort-bufer-size", "64m",
        "quern.speculativ", "true",
        "quern.zzz", "1",
        "quern.history.dir", "/tmp/h",
        "quern.input.split-size", "1m",
        "grep.regex", "a+")))
        .containsExactly(
            "configuration key 'quern.history.dir' is a JVM property, not a job setting: use "
                + "--history DIR, or QUERN_JAVA_OPTS=-Dquern.history.dir=DIR",
            "unknown configuration key 'quern.map.sort-bufer-size' is ignored (did you mean "
                + "'quern.map.sort-buffer-size'?)",
            "unknown configuration key 'quern.speculativ' is ignored (did you mean "
                + "'quern.speculative'?)",
            "unknown configuration key 'quern.zzz' is ignored");
    assertThat(JobKeys.unknownKeyWarnings(Map.of("quern.reduce.tasks", "2"))).isEmpty();
    // Hadoop's own settings and the committer's key are known.
    assertThat(JobKeys.unknownKeyWarnings(Map.of("quern.hadoop.dfs.replication", "2",
        "quern.output.committer", "manifest"))).isEmpty();
    // Keys read by the input format's split combining and the reduce's fetcher.
    assertThat(JobKeys.unknownKeyWarnings(Map.of("quern.input.combine", "false",
        "quern.input.combine.max-size", "128m", "quern.reduce.shuffle.parallel-copies", "5",
        "quern.reduce.shuffle.fetch-retries", "3", "quern.reduce.shuffle.retry-backoff-ms", "500")))
        .isEmpty();
    assertThat(JobKeys.KNOWN).doesNotHaveDuplicates().allMatch(k -> k.startsWith("quern."));
    assertThat(JobKeys.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(List.of(JobKeys.closest("quern.task.timout").orElseThrow()))
        .containsExactly("quern.task.timeout");
  }
}
