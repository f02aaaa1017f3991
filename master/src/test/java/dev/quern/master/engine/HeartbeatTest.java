package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.KillTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.TaskAttemptId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A registered worker's later heartbeats ({@link Scheduler#heartbeat}): each one counts as
 * hearing from the worker, and what it says it runs that the book ended is told to stop, as at
 * registration ({@link Scheduler#strays}), but not on every heartbeat.
 */
class HeartbeatTest {

  /** The kills among {@code effects}, as "attempt@worker". */
  private static List<String> kills(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof KillTask).map(e -> (KillTask) e)
        .map(k -> at(k.attempt(), k.workerId())).toList();
  }

  /**
   * A reduce started early is failed by the book (no progress for the task timeout) and the kill
   * never reaches its worker, which stays registered: the reduce would wait for map outputs for
   * good, holding a slot the book counts free. Its worker's next heartbeat still lists it, and
   * that is what stops it; the heartbeats that follow do not repeat the kill until {@link
   * StrayKills#RETELL_MS} passed, and an attempt the book runs there is never killed.
   */
  @Test
  void aHeartbeatListingAnAttemptTheBookEndedStopsItWhileTheWorkerStaysRegistered() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER)
        .worker("w0", "h0", 2).worker("w1", "h1", 2);
    d.submit(spec("/out", 1, EngineKeys.REDUCE_SLOWSTART, "0", EngineKeys.TASK_TIMEOUT, "1000"),
        splits(3), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w0"), at(reduce(0, 1), "w1"));
    for (int i = 0; i < 3; i++) {
      d.mapDone(map(i, 1), 100);
    }
    d.effects();
    // The reduce went silent; the book fails it and sends the kill, which is lost.
    d.scheduler.checkTimeouts(1_200);
    List<Effect> lost = d.effects();
    assertThat(kills(lost)).containsExactly(at(reduce(0, 1), "w1"));
    TaskAttemptId retry = lost.stream().filter(e -> e instanceof Effect.RunTask)
        .map(e -> ((Effect.RunTask) e).spec().id()).findFirst().orElseThrow();
    assertThat(retry).isEqualTo(reduce(0, 2));
    String retryOn = d.worker(retry);

    // w1 still runs reduce 0's first attempt and says so.
    List<TaskAttemptId> onW1 = retryOn.equals("w1") ? List.of(reduce(0, 1), retry)
        : List.of(reduce(0, 1));
    d.scheduler.heartbeat("w1", onW1, 1_300);
    assertThat(kills(d.effects())).containsExactly(at(reduce(0, 1), "w1"));
    // Stopping takes a while: the next heartbeats list it again, and are not answered with kills.
    d.scheduler.heartbeat("w1", onW1, 2_300);
    d.scheduler.heartbeat("w1", onW1, 1_300 + StrayKills.RETELL_MS - 1);
    assertThat(kills(d.effects())).isEmpty();
    // Still there after RETELL_MS: the kill may have been lost too, so it is told again.
    d.scheduler.heartbeat("w1", onW1, 1_300 + StrayKills.RETELL_MS);
    assertThat(kills(d.effects())).containsExactly(at(reduce(0, 1), "w1"));
    // Once it is gone from the heartbeats it is forgotten; the retry is never a stray.
    d.scheduler.heartbeat(retryOn, List.of(retry), 20_000);
    d.scheduler.heartbeat("w0", retryOn.equals("w0") ? List.of(retry) : List.of(), 20_000);
    d.scheduler.heartbeat("w1", retryOn.equals("w1") ? List.of(retry) : List.of(), 20_000);
    assertThat(kills(d.effects())).isEmpty();
    // Another job's attempt the book never knew (a job retired meanwhile) is a stray too.
    TaskAttemptId unknown = map("job-0042", 0, 1);
    d.scheduler.heartbeat("w0", List.of(unknown), 21_000);
    assertThat(kills(d.effects())).containsExactly(at(unknown, "w0"));
  }

  /** A worker that registers again is compared afresh: what it was told before is forgotten. */
  @Test
  void aWorkerThatRegistersAgainIsToldAtOnce() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER).worker("w0", "h0", 1);
    TaskAttemptId unknown = map("job-0042", 0, 1);
    d.scheduler.heartbeat("w0", List.of(unknown), 10);
    assertThat(kills(d.effects())).containsExactly(at(unknown, "w0"));
    d.scheduler.workerGone("w0", 20);
    // Not registered: its registration does the comparing.
    d.scheduler.heartbeat("w0", List.of(unknown), 30);
    assertThat(kills(d.effects())).isEmpty();
    d.scheduler.strays("w0", List.of(unknown), 40);
    d.scheduler.report(new WorkerReport.Register("w0", "h0", 1, null), 40);
    assertThat(kills(d.effects())).containsExactly(at(unknown, "w0"));
    d.scheduler.heartbeat("w0", List.of(unknown), 50);
    assertThat(kills(d.effects())).isEmpty();
  }

  /**
   * Every heartbeat counts as hearing from the worker (soft state, not in the log): an idle
   * worker's time of last report moves on, where before only a registration or an attempt
   * report moved it.
   */
  @Test
  void anIdleWorkersHeartbeatsMoveItsLastReportTime() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER).worker("w0", "h0", 1);
    assertThat(d.scheduler.drainWorkerViews().orElseThrow())
        .extracting(WorkerView::lastReportTime).containsExactly(0L);
    long journalled = d.scheduler.book().jobs().size();
    for (long t = 500; t <= 5_000; t += 500) {
      d.scheduler.heartbeat("w0", List.of(), t);
    }
    assertThat(d.scheduler.drainWorkerViews().orElseThrow())
        .extracting(WorkerView::lastReportTime).containsExactly(5_000L);
    assertThat(d.scheduler.book().jobs()).hasSize((int) journalled);
    assertThat(d.effects()).isEmpty();
  }
}
