package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.master.commit.JobCommitter;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed or killed job whose leader died during the abort: the next leader finishes the abort
 * on takeover ({@link Scheduler#takeOver}) when the book shows no newer job claimed the job's
 * output directory, and never touches a directory a newer job claimed (its {@code _temporary} is
 * that job's), neither on takeover nor when a straggler of the old job reports.
 */
class AbortOnTakeOverTest {
  @TempDir Path tmp;

  private static List<Effect.AbortJob> aborts(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof Effect.AbortJob)
        .map(e -> (Effect.AbortJob) e).toList();
  }

  private static List<Effect.CleanUp> cleanUps(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof Effect.CleanUp)
        .map(e -> (Effect.CleanUp) e).toList();
  }

  private static TaskAttemptId firstMap(String job) {
    return new TaskAttemptId(job, TaskKind.MAP, 0, 1);
  }

  @Test
  void aNewLeaderFinishesTheAbortOfAnEndedJobWhoseDirectoryNoNewerJobClaimed() throws Exception {
    String a = tmp.resolve("a").toString();
    String b = tmp.resolve("b").toString();
    String c = tmp.resolve("c").toString();
    SchedulerDriver old = new SchedulerDriver(SchedulerSettings.CLUSTER).worker("w0", "h0", 8);
    JobSpec onA = spec(a, 1);
    JobSpec onB = spec(b, 1);
    String first = old.submit(onA, splits(1), 0);
    JobCommitter.setupJob(onA);
    old.scheduler.kill(first, 10);
    // A newer job claims a/ once the first ended: a/_temporary is its own from now.
    String second = old.submit(spec(a + "/.", 1), splits(1), 20);
    JobCommitter.setupJob(onA);
    String third = old.submit(onB, splits(1), 30);
    JobCommitter.setupJob(onB);
    old.scheduler.kill(third, 40);
    String fourth = old.submit(spec(c, 1), splits(1), 50);
    // A job whose setup failed never made d/_temporary: what is there is not its own.
    String d = tmp.resolve("d").toString();
    Files.createDirectories(Path.of(d, "_temporary"));
    Outcome o = old.scheduler.submit(spec(d, 1), splits(1),
        BookSplit.ofAll(splits(1), null), null, "output directory exists", 60);
    String fifth = ((Outcome.Applied) o).jobId();
    assertThat(old.scheduler.book().job(fifth).state()).isEqualTo(JobState.FAILED);
    // The old leader decided the aborts but died before it carried out the third's.
    assertThat(aborts(old.effects())).extracting(Effect.AbortJob::jobId)
        .containsExactly(first, third);
    assertThat(Path.of(b, "_temporary")).isDirectory();
    assertThat(old.scheduler.book().job(third).state()).isEqualTo(JobState.KILLED);

    for (int leader = 0; leader < 2; leader++) { // a second takeover decides the same again
      Scheduler next = new Scheduler(BookCodec.restore(BookCodec.snapshot(
          old.scheduler.book())), Path.of("/scratch"), new JobJournal(), SchedulerSettings.CLUSTER);
      next.takeOver(100 + leader);
      List<Effect.AbortJob> aborts = aborts(next.drainEffects());
      assertThat(aborts).containsExactly(new Effect.AbortJob(third, b));
      // Carried out as the leader does (JobFiles.abortJob): idempotent.
      for (Effect.AbortJob e : aborts) {
        JobCommitter.abortJob(e.jobId(), e.outputPath(), next.book().job(e.jobId()).spec());
      }
      assertThat(Path.of(b)).doesNotExist(); // the third created b/, so its abort removes it
      assertThat(Path.of(a, "_temporary")).isDirectory(); // the second's, untouched
      assertThat(Path.of(d, "_temporary")).isDirectory(); // never the fifth's
      assertThat(next.book().job(second).state()).isIn(JobState.ACCEPTED, JobState.RUNNING);
      assertThat(next.book().job(fourth).state()).isIn(JobState.ACCEPTED, JobState.RUNNING);

      // Stragglers: the first's attempt reports (its directory is the second's now): nothing;
      // the third's does: its clean-up is decided again.
      next.report(new WorkerReport.Register("w0", "h0", 8, null), 200);
      next.drainEffects();
      next.report(new WorkerReport.AttemptKilled(firstMap(first), "w0", "job killed"), 210);
      assertThat(cleanUps(next.drainEffects())).isEmpty();
      next.report(new WorkerReport.AttemptKilled(firstMap(third), "w0", "job killed"), 220);
      assertThat(cleanUps(next.drainEffects())).extracting(Effect.CleanUp::jobId)
          .containsExactly(third);
    }
    assertThat(Files.exists(Path.of(a))).isTrue();
  }
}
