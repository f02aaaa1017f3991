package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.KillTask;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.api.Counters;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scheduler that starts over a book another leader wrote rebuilds its soft state from the
 * book: the stage's run times for speculation, and a full timeout for the attempts running.
 */
class TakeOverTest {

  @Test
  void runTimesAndRunningAttemptsComeFromTheBook() {
    SchedulerDriver old = new SchedulerDriver();
    for (int i = 0; i < 4; i++) {
      old.worker("w" + i, "h" + i, 1);
    }
    old.submit(spec("/out", 1, EngineKeys.SPECULATION, "true",
        EngineKeys.TASK_TIMEOUT, "10000"), splits(4), 0);
    old.mapDone(map(0, 1), 1000);
    old.mapDone(map(1, 1), 1100);
    old.mapDone(map(2, 1), 1200);
    // Map 3 (1200 ms) was not slow yet for the old leader (1.5 x 1100 ms).
    assertThat(old.started()).hasSize(4);

    Scheduler next = new Scheduler(BookCodec.restore(BookCodec.snapshot(old.scheduler.book())),
        Path.of("/scratch"), new JobJournal());
    next.takeOver(2_000);
    assertThat(next.drainEffects()).isEmpty(); // no worker yet
    next.report(new WorkerReport.Register("w9", "h9", 1, null), 2_000);
    // Median 1100 ms from the book's finished maps: map 3 (running since 0) is slow.
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof RunTask)
        .extracting(e -> ((RunTask) e).spec().id() + "@" + ((RunTask) e).workerId())
        .containsExactly(at(map(3, 2), "w9"));

    // Map 3's first attempt is heard from as of the take-over: one full timeout from then.
    next.checkTimeouts(12_000);
    assertThat(next.drainEffects()).isEmpty();
    next.checkTimeouts(12_001);
    List<Effect> timedOut = next.drainEffects();
    assertThat(timedOut).contains(new KillTask("w9", map(3, 2), "no progress"));
    assertThat(next.book().job(SchedulerDriver.JOB).attempt(map(3, 1)).state())
        .isEqualTo(AttemptState.FAILED);
  }

  /**
   * The failover's re-runs: a worker that registers with a new leader while its slots are full
   * of the book's attempts gets nothing new until one ends. Registering first and claiming the
   * attempts after filled its slots with new attempts (which the full worker refuses, and which
   * then run again); {@link Scheduler#adopt} claims them in the same step.
   */
  @Test
  void aFullWorkerThatRegistersWithTheNewLeaderGetsNothingNew() {
    SchedulerDriver old = new SchedulerDriver();
    old.worker("w0", "h0", 2).worker("w1", "h1", 2);
    old.submit(spec("/out", 1), splits(6), 0);
    assertThat(old.started()).hasSize(4);

    Scheduler next = new Scheduler(BookCodec.restore(BookCodec.snapshot(old.scheduler.book())),
        Path.of("/scratch"), new JobJournal());
    next.takeOver(1_000);
    assertThat(next.drainEffects()).isEmpty();
    BookJob job = next.book().job(SchedulerDriver.JOB);
    for (String w : List.of("w0", "w1")) {
      List<TaskAttemptId> on = job.runningAttempts().stream()
          .filter(a -> a.workerId().equals(w)).map(BookAttempt::id).toList();
      assertThat(on).hasSize(2);
      next.adopt(new WorkerReport.Register(w, "h" + w.substring(1), 2, null), on, 1_000);
      assertThat(next.drainEffects()).as("nothing new for full %s", w).isEmpty();
    }
    // One adopted attempt ends: its slot, and only it, takes the next map.
    TaskAttemptId done = job.runningAttempts().get(0).id();
    String worker = job.attempt(done).workerId();
    next.report(new WorkerReport.AttemptSucceeded(done, worker,
        new TaskResult(done, new Counters(), SchedulerDriver.output(done))), 1_100);
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof RunTask)
        .extracting(e -> ((RunTask) e).workerId()).containsExactly(worker);
    // The same report again (a worker sends it again to a new leader) changes nothing.
    next.report(new WorkerReport.AttemptSucceeded(done, worker,
        new TaskResult(done, new Counters(), SchedulerDriver.output(done))), 1_200);
    assertThat(next.drainEffects()).isEmpty();
    for (BookTask t : next.book().job(SchedulerDriver.JOB).maps()) {
      assertThat(t.attempts()).as("map %d", t.index()).hasSizeLessThanOrEqualTo(1);
    }
  }
}
