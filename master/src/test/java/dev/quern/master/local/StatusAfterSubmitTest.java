package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's status is readable the moment {@code submit} returns: the master publishes the job
 * before it answers the submission.
 */
class StatusAfterSubmitTest {
  @TempDir Path tmp;

  @Test
  void statusRightAfterSubmitNeverThrows() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 7L, 1, 10);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      List<JobHandle> handles = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        JobHandle h = cluster.submit(WordCount.job("wc" + i, in, tmp.resolve("out-" + i))
            .build().spec());
        assertThat(h.status().id()).isEqualTo(h.id());
        assertThat(h.status().state()).isIn(JobState.values());
        handles.add(h);
      }
      for (JobHandle h : handles) {
        assertThat(h.awaitCompletion().succeeded()).as(h.id()).isTrue();
      }
    }
  }
}
