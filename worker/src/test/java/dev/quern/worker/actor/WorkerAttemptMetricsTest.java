package dev.quern.worker.actor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.testkit.Await;
import dev.quern.testkit.PromText;
import dev.quern.worker.actor.WorkerReport.AttemptFailed;
import dev.quern.worker.actor.WorkerReport.AttemptKilled;
import dev.quern.worker.actor.WorkerReport.AttemptRunning;
import dev.quern.worker.actor.WorkerReport.AttemptSucceeded;
import dev.quern.worker.actor.WorkerReport.Register;
import dev.quern.worker.metrics.MetricsText;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's attempt metrics after attempts that really succeeded, failed, were killed, refused. */
class WorkerAttemptMetricsTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private MapTaskSpec spec(int attempt) {
    JobSpec job = Job.builder("w").input("/in").output(tmp.resolve("out").toString())
        .mapper(WorkerActorTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(1).build().spec();
    TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.MAP, 0, attempt);
    return new MapTaskSpec(id, job, new FileSplit("/in/a", 0, 1, List.of()),
        tmp.resolve("scratch").toString(),
        OutputLayout.attemptDir(job.outputPath(), id).toString());
  }

  @Test
  void everyEndIsCountedByOutcomeAndReason() throws Exception {
    WorkerMetrics metrics = new WorkerMetrics();
    TestProbe<WorkerReport> master = kit.createTestProbe();
    CountDownLatch blocked = new CountDownLatch(1);
    MapOutputRef lost = new MapOutputRef(3, new TaskAttemptId("job-0001", TaskKind.MAP, 3, 1),
        "localhost", "/d", "/i");
    // Attempt 1 succeeds, 2 fails in user code, 3 finds a map output lost, 4 waits to be killed.
    ActorRef<WorkerCommand> w = kit.spawn(WorkerActor.create(new WorkerSettings("worker-m",
        "localhost", 1, (s, l, p) -> switch (s.id().attempt()) {
          case 1 -> new TaskResult(s.id(), new Counters(), null);
          case 2 -> throw new IllegalStateException("user bug");
          case 3 -> throw new MapOutputLostException(lost, 0, "gone");
          default -> {
            blocked.countDown();
            new CountDownLatch(1).await();
            yield null;
          }
        }, s -> getClass().getClassLoader(), WAIT, metrics), master.getRef()));
    master.expectMessageClass(Register.class);

    w.tell(new WorkerCommand.RunTask(spec(1), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    master.expectMessageClass(AttemptSucceeded.class, WAIT);
    w.tell(new WorkerCommand.RunTask(spec(2), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    master.expectMessageClass(AttemptFailed.class, WAIT);
    w.tell(new WorkerCommand.RunTask(spec(3), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    master.expectMessageClass(AttemptFailed.class, WAIT);
    w.tell(new WorkerCommand.RunTask(spec(4), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    assertThat(blocked.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    PromText busy = read(metrics);
    assertThat(busy.value("quern_worker_attempts_running", Map.of("kind", "map"))).isEqualTo(1);
    // The one slot is taken: refused without starting.
    w.tell(new WorkerCommand.RunTask(spec(5), master.getRef()));
    master.expectMessageClass(AttemptKilled.class, WAIT);
    w.tell(new WorkerCommand.KillTask(spec(4).id(), "test kill"));
    master.expectMessageClass(AttemptKilled.class, WAIT);
    // The killed attempt's thread ends (and counts) after the kill was reported.
    Await.until(WAIT, "the killed attempt to end", () -> read(metrics)
        .value("quern_worker_attempts_running", Map.of("kind", "map")) == 0);

    PromText m = read(metrics);
    assertThat(m.value("quern_worker_attempts_started_total", Map.of("kind", "map"))).isEqualTo(4);
    assertThat(m.value("quern_worker_attempts_started_total", Map.of("kind", "reduce"))).isZero();
    assertThat(ended(m, "succeeded", "ok")).isEqualTo(1);
    assertThat(ended(m, "failed", "error")).isEqualTo(1);
    assertThat(ended(m, "failed", "map_output_lost")).isEqualTo(1);
    assertThat(ended(m, "killed", "interrupted")).isEqualTo(1);
    assertThat(ended(m, "killed", "no_free_slot")).isEqualTo(1);
    assertThat(m.samples().stream().filter(s -> s.name().equals("quern_worker_attempts_ended_total"))
        .mapToDouble(PromText.Sample::value).sum()).isEqualTo(5);
  }

  private static double ended(PromText m, String outcome, String reason) {
    return m.value("quern_worker_attempts_ended_total",
        Map.of("kind", "map", "outcome", outcome, "reason", reason));
  }

  private static PromText read(WorkerMetrics metrics) {
    return PromText.parse(new String(MetricsText.scrape(metrics.registry()),
        StandardCharsets.UTF_8));
  }
}
