package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.KillTask;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.WorkerReport;
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
}
