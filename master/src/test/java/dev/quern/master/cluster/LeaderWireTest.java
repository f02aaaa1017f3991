package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.master.engine.Effect;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderWireTest {
  private static final TaskAttemptId MAP = new TaskAttemptId("job-0002", TaskKind.MAP, 1, 3);
  private static final TaskAttemptId REDUCE =
      new TaskAttemptId("job-0002", TaskKind.REDUCE, 0, 1);

  @Test
  void workerMessagesBecomeSchedulerReports() {
    Counters c = Counters.of(Map.of("g", Map.of("n", 2L)));
    MapOutputRef out = new MapOutputRef(1, MAP, "127.0.0.1:5", "/d", "/i");
    assertThat(LeaderWire.report(new ClusterWire.AttemptDone("w1", MAP, c, out))).contains(
        new WorkerReport.AttemptSucceeded(MAP, "w1", new TaskResult(MAP, c, out)));
    assertThat(LeaderWire.report(new ClusterWire.AttemptFailed("w1", REDUCE, "m", "t", out)))
        .contains(new WorkerReport.AttemptFailed(REDUCE, "w1", "m", "t", out));
    assertThat(LeaderWire.report(new ClusterWire.AttemptKilled("w1", MAP, "r")))
        .contains(new WorkerReport.AttemptKilled(MAP, "w1", "r"));
    assertThat(LeaderWire.report(new ClusterWire.AttemptProgress("w1", MAP, 0.5f)))
        .contains(new WorkerReport.AttemptProgress(MAP, 0.5f));
    assertThat(LeaderWire.report(new ClusterWire.CanCommit("w1", REDUCE, null)))
        .contains(new WorkerReport.CanCommit(REDUCE, null));
    assertThat(LeaderWire.report(new ClusterWire.MasterHello("m1", "h:1"))).isEmpty();
  }

  @Test
  void effectsForWorkersCarryTheLeadersTermAndId() {
    assertThat(LeaderWire.message(new Effect.KillTask("w2", MAP, "job killed"), 4, "m3"))
        .contains(new LeaderWire.ToWorker("w2",
            new ClusterWire.KillAttempt(4, "m3", MAP, "job killed")));
    assertThat(LeaderWire.message(new Effect.AbortJob("job-0002", "/out"), 4, "m3")).isEmpty();
    Effect.AnswerCommit a = new Effect.AnswerCommit(new WorkerReport.CanCommit(REDUCE, null),
        new WorkerReport.CommitAnswer(REDUCE, false, "held by another"));
    assertThat(LeaderWire.answer(a, 4, "m3"))
        .isEqualTo(new ClusterWire.CommitAnswer(4, "m3", REDUCE, false, "held by another"));
  }
}
