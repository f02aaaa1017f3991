package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.EngineKeys;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskView;
import dev.quern.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow start 0 in local mode: reduces start while a map is still held at a gate, fetch the
 * outputs of the maps that finish meanwhile and the held map's once it finishes, and the job's
 * output equals a count made without the engine. The reduces that start early are the ones
 * whose output is committed.
 */
class SlowStartJobTest {
  private static final long SEED = 20261202L;
  private static final Duration BOUND = Duration.ofMinutes(2);

  @TempDir Path tmp;

  @Test
  void reducesStartedBeforeTheLastMapCountEveryMapsOutput() throws Exception {
    Path input = WordCount.writeInput(tmp.resolve("in"), SEED, 6, 500);
    Path out = tmp.resolve("out");
    String hook = "slow-start-" + System.nanoTime();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 2))) {
      JobHandle h = WordCount.job("wc", input, out).mapper(HookedJobs.GateMapper.class)
          .reduceTasks(3)
          .set(EngineKeys.REDUCE_SLOWSTART, "0")
          .set("quern.input.split-size", "64m")
          .set(Hooks.KEY, hook).set("test.gate-task", "0")
          .build().submit(cluster);
      Hooks.awaitArrival(hook, BOUND);
      // Map 0 waits at the gate; the other maps finish and reduces start on half the slots.
      Await.until(BOUND, "a reduce runs while map 0 is held", () -> {
        Optional<JobView> v = cluster.jobView(h.id());
        return v.isPresent() && v.get().reduces().stream()
            .flatMap(t -> t.attempts().stream())
            .anyMatch(a -> a.state() == AttemptState.RUNNING);
      });
      assertThat(map0(cluster, h.id()).committedAttempt()).isNull();
      Hooks.gate(hook).countDown();
      JobStatus s = h.awaitCompletion(BOUND);

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(input));
      JobView v = cluster.jobView(h.id()).orElseThrow();
      long map0End = committed(map0(cluster, h.id())).endTime();
      assertThat(v.reduces()).extracting(t -> committed(t).startTime())
          .anyMatch(start -> start < map0End);
    }
  }

  private static TaskView map0(LocalCluster cluster, String jobId) {
    return cluster.jobView(jobId).orElseThrow().maps().stream().filter(t -> t.index() == 0)
        .findFirst().orElseThrow();
  }

  private static AttemptView committed(TaskView t) {
    return t.attempts().stream().filter(a -> a.id().equals(t.committedAttempt())).findFirst()
        .orElseThrow(() -> new AssertionError(t.name() + " has no committed attempt"));
  }
}
