package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Configuration;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.commit.JobCommitContext;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.commit.RenameOutputCommitter;
import dev.quern.api.commit.TaskCommitContext;
import dev.quern.api.io.TextOutputFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs through a chosen {@link OutputCommitter}: the manifest committer by key, and one that the
 * output format supplies, which must run on the master (job steps) and on the workers (task
 * steps).
 */
class CommitterJobsTest {
  private static final long SEED = 20261202L;

  @TempDir Path tmp;

  /** The default committer, leaving a mark of each step it took where the test can see it. */
  public static final class MarkingCommitter extends RenameOutputCommitter {
    @Override
    public void setupJob(JobCommitContext job) throws IOException {
      super.setupJob(job);
      Files.writeString(Path.of(job.outputPath()).resolveSibling("setup-job"), "x");
    }

    @Override
    public void commitTask(TaskCommitContext task) throws IOException {
      // Lands in OUT with the task's files: proof that the worker ran this committer.
      Files.writeString(Path.of(task.workDir()).resolve("committed-by-" + task.taskName()),
          task.workDir());
      super.commitTask(task);
    }

    @Override
    public void commitJob(JobCommitContext job) throws IOException {
      super.commitJob(job);
      Files.writeString(Path.of(job.outputPath()).resolve("_COMMITTED_BY"), job.jobId());
    }
  }

  /** Text output whose format supplies its own committer. */
  public static final class MarkingFormat<K, V> extends TextOutputFormat<K, V> {
    @Override
    public OutputCommitter committer(Configuration conf) {
      return new MarkingCommitter();
    }
  }

  private static String[] names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void aCommitterThatTheOutputFormatSuppliesRunsOnTheMasterAndTheWorkers() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 2, 300);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = WordCount.job("wc", input, out).reduceTasks(2)
          .outputFormat(MarkingFormat.class).build().submit(cluster)
          .awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(input));
      assertThat(names(out)).containsExactly("_COMMITTED_BY", "_SUCCESS",
          "committed-by-r-00000", "committed-by-r-00001", "part-r-00000", "part-r-00001");
      assertThat(Files.readString(out.resolve("_COMMITTED_BY"))).isEqualTo(s.id());
      assertThat(tmp.resolve("setup-job")).exists();
    }
  }

  @Test
  void theManifestCommitterByKeyGivesTheSameOutput() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 3, 300);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 2))) {
      JobStatus s = WordCount.job("wc", input, out).reduceTasks(3)
          .set("quern.input.split-size", "2k").set(OutputCommitters.KEY, "manifest").build()
          .submit(cluster).awaitCompletion(Duration.ofMinutes(2));
      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(input));
      assertThat(names(out)).containsExactly("_SUCCESS", "part-r-00000", "part-r-00001",
          "part-r-00002");
    }
  }

  @Test
  void anUnknownCommitterRefusesTheJobNamingTheKey() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 1, 10);
    Path out = tmp.resolve("out");
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> WordCount.job("wc", input, out)
          .set(OutputCommitters.KEY, "s3-magic").build().submit(cluster))
          .hasMessageContaining(OutputCommitters.KEY).hasMessageContaining("s3-magic");
      assertThat(out).doesNotExist();
    }
  }
}
