package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.JobViews;
import dev.quern.master.engine.TaskView;
import dev.quern.worker.task.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two attempts of the same reduce task run at once (speculation) and both finish: exactly one
 * is granted the commit, and the output holds each word once.
 */
class SpeculativeCommitTest {
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("try")
  void exactlyOneOfTwoFinishingAttemptsCommits() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 99L, 1, 300);
    Path out = tmp.resolve("out");
    String hook = "spec-" + UUID.randomUUID();
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      Set<String> everSucceeded = ConcurrentHashMap.newKeySet();
      try (AutoCloseable l = cluster.addListener(e -> {
        if (e instanceof ClusterEvent.JobUpdated u && !u.job().reduces().isEmpty()) {
          u.job().reduces().get(0).attempts().stream()
              .filter(a -> a.state() == AttemptState.SUCCEEDED)
              .forEach(a -> everSucceeded.add(a.id()));
        }
      })) {
        JobStatus s = WordCount.job("speculative", in, out)
            .reducer(HookedJobs.MeetingReducer.class).set(Hooks.KEY, hook).set("test.meet", 2)
            .set("quern.speculation", "true")
            // One reduce has no finished peers to take a median from: speculate it at once.
            .set("quern.speculation.task-duration-threshold", "0").build().submit(cluster)
            .awaitCompletion(Duration.ofMinutes(2));

        assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
        assertThat(WordCount.readOutput(out)).isEqualTo(WordCount.expected(in));
        assertThat(WordCount.partFiles(out)).hasSize(1);
        assertThat(Files.exists(out.resolve("_temporary"))).isFalse();

        TaskView reduce = cluster.jobView(s.id()).orElseThrow().reduces().get(0);
        assertThat(reduce.attempts()).hasSize(2);
        assertThat(reduce.attempts()).extracting(AttemptView::workerId).doesNotHaveDuplicates();
        assertThat(reduce.attempts()).filteredOn(a -> a.state() == AttemptState.SUCCEEDED)
            .singleElement().extracting(AttemptView::id).isEqualTo(reduce.committedAttempt());
        // The loser either asked after the winner's grant (denied, its directory discarded) or
        // was still writing when the winner committed (killed by the master).
        assertThat(reduce.attempts()).filteredOn(a -> a.state() == AttemptState.KILLED)
            .singleElement().extracting(AttemptView::error).asString()
            .matches("commit denied: task r-00000 is being committed by .*"
                + "|another attempt of r-00000 committed");
        assertThat(everSucceeded).containsExactly(reduce.committedAttempt());

        List<JobEvent> grants = cluster.journal().events().stream()
            .filter(e -> e instanceof JobEvent.CommitGranted g
                && g.attempt().kind() == TaskKind.REDUCE)
            .toList();
        assertThat(grants).hasSize(1);
        assertThat(((JobEvent.CommitGranted) grants.get(0)).attempt().toString())
            .isEqualTo(reduce.committedAttempt());
        assertThat(JobViews.of(cluster.journal().replay().job(s.id()), java.util.Map.of()))
            .isEqualTo(cluster.jobView(s.id()).orElseThrow());
      }
    }
  }
}
