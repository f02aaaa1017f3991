package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's view built with the cache of its finished tasks' views is, at every step of the job's
 * life, the view built from scratch: through tasks finishing, a finished map losing its output and
 * running again, a failed attempt and the job's end.
 */
class JobViewsCacheTest {

  @Test
  void viewsWithTheCacheAreTheViewsBuiltAfresh() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER)
        .worker("w0", "h0", 1).worker("w1", "h1", 1);
    String job = d.submit(spec("/out", 1), splits(3), 0);
    JobViews.Cache cache = new JobViews.Cache();
    Map<TaskAttemptId, Float> progress = new HashMap<>();
    Runnable same = () -> {
      BookJob b = d.scheduler.book().job(job);
      assertThat(JobViews.of(b, progress, null, cache)).isEqualTo(JobViews.of(b, progress));
    };
    d.started();
    same.run();
    progress.put(map(0, 1), 0.5f);
    same.run();
    d.mapDone(map(0, 1), 1);
    same.run();
    d.fail(map(1, 1), 2);
    same.run();
    d.started();
    d.mapDone(map(2, 1), 3);
    same.run();
    d.started();
    d.mapDone(map(1, 2), 4);
    same.run(); // every map done: their views are the cache's now
    same.run();

    // w0 dies: the outputs it held are lost, and those maps run again.
    d.scheduler.workerGone("w0", 5);
    BookJob b = d.scheduler.book().job(job);
    assertThat(b.task(map(0, 1)).isDone()).isFalse();
    same.run();
    // Then every attempt started runs to its end, until the job's.
    long time = 6;
    for (int step = 0; step < 20 && b.state() == JobState.RUNNING; step++) {
      for (Effect.RunTask r : d.runs()) {
        TaskAttemptId a = r.spec().id();
        progress.put(a, 0.25f);
        same.run();
        if (a.kind() == TaskKind.MAP) {
          d.mapDone(a, time++);
        } else {
          d.commitDone(a, time++);
        }
        same.run();
      }
    }
    assertThat(b.state()).isEqualTo(JobState.COMMITTING);
    assertThat(b.task(map(0, 1)).attempts()).hasSize(2);
    same.run();
    d.scheduler.commitFinished(job, time, null, time);
    assertThat(b.state()).isEqualTo(JobState.SUCCEEDED);
    same.run();
  }
}
