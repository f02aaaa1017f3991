package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Job;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.JobView;
import dev.quern.worker.spill.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many small tasks in local mode: 300 input files, one map each (input combining off), and 50
 * reduces, with no combiner, so most of the 15,000 map-output partitions are empty and the rest
 * hold a few records. The counts equal a count made without the engine, every task ran once,
 * and the job leaves no file open: the process's descriptors (/proc/self/fd) are as many after
 * the job as before it, and no run file is open.
 */
class ManyTasksJobTest {
  private static final long SEED = 20261203L;
  private static final Duration BOUND = Duration.ofMinutes(5);
  private static final int MAPS = 300;
  private static final int REDUCES = 50;

  @TempDir Path tmp;

  @Test
  void threeHundredMapsByFiftyReducesCountEveryWordAndCloseEveryFile() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, MAPS, 12);
    Path warmInput = WordCount.writeInput(tmp.resolve("warm-in"), SEED + 1, 3, 12);
    // The scratch directory under tmp too, so that the descriptor check below sees its files.
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1)
        .withWorkDir(tmp.resolve("scratch")))) {
      // A first job loads the classes (and opens the jars) that any job needs.
      assertThat(run(cluster, warmInput, tmp.resolve("warm-out")).state())
          .isEqualTo(JobState.SUCCEEDED);
      // Only descriptors of files under this test's directory: other tests' threads in this
      // JVM (sockets, jars, logs) open and close theirs while the job runs.
      assertThat(openDescriptorsUnder(tmp)).as("descriptors under %s before the job", tmp).isEmpty();
      int runFilesBefore = RunFiles.open();

      Path out = tmp.resolve("out");
      JobStatus s = run(cluster, input, out);
      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(input));
      assertThat(WordCount.partFiles(out)).hasSize(REDUCES);
      JobView v = cluster.jobView(s.id()).orElseThrow();
      assertThat(v.maps()).hasSize(MAPS);
      assertThat(v.reduces()).hasSize(REDUCES);
      assertThat(v.maps()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));
      assertThat(v.reduces()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));

      assertThat(RunFiles.open()).as("run files left open").isEqualTo(runFilesBefore);
      assertThat(openDescriptorsUnder(tmp)).as("descriptors under %s after the job", tmp).isEmpty();
    }
  }

  private static JobStatus run(LocalCluster cluster, Path input, Path out) throws Exception {
    return Job.builder("many-tasks")
        .input(input.toString())
        .output(out.toString())
        .mapper(WordCount.TokenizerMapper.class)
        .reducer(WordCount.SumReducer.class)
        .mapOutput(String.class, Long.class)
        .reduceTasks(REDUCES)
        .set("quern.input.combine", "false")
        .build().submit(cluster).awaitCompletion(BOUND);
  }

  /** The files under {@code dir} that this process holds open (from /proc/self/fd). */
  private static List<Path> openDescriptorsUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    List<Path> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(real) || target.startsWith(dir)) {
            open.add(target);
          }
        } catch (IOException e) {
          // closed since the listing (or the listing's own descriptor): not the job's
        }
      }
    }
    return open;
  }
}
