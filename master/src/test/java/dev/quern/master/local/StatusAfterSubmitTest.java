package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's status is readable the moment {@code submit} returns: the master publishes the job
 * before it answers the submission.
 */
class StatusAfterSubmitTest {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path tmp;

  @Test
  void statusRightAfterSubmitIsTheAcceptedJob() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 7L, 1, 10);
    String hook = "status-" + UUID.randomUUID();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      // The only slot is held by a map waiting at a gate, so a job submitted meanwhile cannot
      // start: ACCEPTED is the one state its status may show.
      JobHandle blocker = WordCount.job("blocker", in, tmp.resolve("out-blocker"))
          .mapper(HookedJobs.GateMapper.class).set(Hooks.KEY, hook).build().submit(cluster);
      assertThat(Hooks.awaitArrival(hook, WAIT)).isEqualTo(blocker.id() + "/m-00000/1");

      List<JobHandle> handles = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        JobHandle h = cluster.submit(WordCount.job("wc" + i, in, tmp.resolve("out-" + i))
            .build().spec());
        JobStatus s = h.status();
        assertThat(s.id()).isEqualTo(h.id());
        assertThat(s.name()).isEqualTo("wc" + i);
        assertThat(s.state()).as(h.id()).isEqualTo(JobState.ACCEPTED);
        assertThat(s.mapProgress()).isZero();
        handles.add(h);
      }
      assertThat(blocker.status().state()).isEqualTo(JobState.RUNNING);

      Hooks.gate(hook).countDown();
      handles.add(0, blocker);
      for (JobHandle h : handles) {
        JobStatus s = h.awaitCompletion(WAIT);
        assertThat(s.state()).as("%s within %s: %s", h.id(), WAIT, s.failure())
            .isEqualTo(JobState.SUCCEEDED);
      }
      for (int i = 0; i < 8; i++) {
        assertThat(WordCount.readOutput(tmp.resolve("out-" + i))).as("output of wc" + i)
            .isEqualTo(WordCount.expected(in));
      }
    } finally {
      Hooks.gate(hook).countDown();
    }
  }
}
