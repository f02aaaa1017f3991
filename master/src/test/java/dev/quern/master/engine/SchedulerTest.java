package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.Effect.AbortJob;
import dev.quern.master.engine.Effect.AnswerCommit;
import dev.quern.master.engine.Effect.CleanUp;
import dev.quern.master.engine.Effect.CommitJob;
import dev.quern.master.engine.Effect.KillTask;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler's decisions, input by input, with no actor, clock or file involved. */
class SchedulerTest {
  private static final Path WORK = Path.of("/scratch");
  private static final String JOB = "job-0001";

  private final JobJournal journal = new JobJournal();
  private final Scheduler scheduler = new Scheduler(new JobBook(), WORK, journal);

  private static final List<InputSplit> SPLITS = List.of(
      new FileSplit("/in/small", 0, 10, List.of()),
      new FileSplit("/in/large", 0, 30, List.of()),
      new FileSplit("/in/medium", 0, 20, List.of()));

  private static JobSpec spec(int reduces, String... config) {
    Job.Builder b = Job.builder("s").input("/in").output("/out")
        .mapper(JobBookTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(reduces);
    for (int i = 0; i < config.length; i += 2) {
      b.set(config[i], config[i + 1]);
    }
    return b.build().spec();
  }

  private void workers(int n) {
    for (int i = 0; i < n; i++) {
      scheduler.report(new WorkerReport.Register("w" + i, "host" + i, 1, null), 0);
    }
    assertThat(scheduler.drainEffects()).isEmpty();
  }

  private void submit(JobSpec spec, long time) {
    Outcome o = scheduler.submit(spec, SPLITS, BookSplit.ofAll(SPLITS, null), null, time);
    assertThat(o).isEqualTo(new Outcome.Applied(JOB));
  }

  private static TaskAttemptId map(int index, int attempt) {
    return new TaskAttemptId(JOB, TaskKind.MAP, index, attempt);
  }

  private static TaskAttemptId reduce(int attempt) {
    return new TaskAttemptId(JOB, TaskKind.REDUCE, 0, attempt);
  }

  private static MapOutputRef out(TaskAttemptId a) {
    return new MapOutputRef(a.taskIndex(), a, "host", "/d/" + a.dirName(), "/i/" + a.dirName());
  }

  private void succeed(TaskAttemptId a, String worker, long time) {
    Counters c = new Counters();
    c.increment(TaskCounter.MAP_INPUT_RECORDS, 1);
    scheduler.report(new WorkerReport.AttemptSucceeded(a, worker,
        new TaskResult(a, c, a.kind() == TaskKind.MAP ? out(a) : null)), time);
  }

  /** The attempts the effects start, as "attempt@worker". */
  private static List<String> started(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof RunTask).map(e -> (RunTask) e)
        .map(r -> r.spec().id() + "@" + r.workerId()).toList();
  }

  @Test
  void aJobRunsLargestMapFirstThenItsReduceThenCommits() {
    workers(2);
    submit(spec(1), 100);
    List<Effect> first = scheduler.drainEffects();
    assertThat(started(first)).containsExactly(map(1, 1) + "@w0", map(2, 1) + "@w1");
    MapTaskSpec large = (MapTaskSpec) ((RunTask) first.get(0)).spec();
    assertThat(large.split()).isSameAs(SPLITS.get(1));
    assertThat(large.scratchDir()).as("the job's, shared by its attempts")
        .isEqualTo(WORK.resolve(JOB).toString());
    assertThat(scheduler.book().job(JOB).state()).isEqualTo(JobState.RUNNING);
    assertThat(scheduler.drainJobViews()).extracting(JobView::id).containsExactly(JOB);

    succeed(map(1, 1), "w0", 110);
    assertThat(started(scheduler.drainEffects())).containsExactly(map(0, 1) + "@w0");
    succeed(map(2, 1), "w1", 120);
    assertThat(started(scheduler.drainEffects())).isEmpty();
    succeed(map(0, 1), "w0", 130);
    List<Effect> reduceStart = scheduler.drainEffects();
    assertThat(started(reduceStart)).containsExactly(reduce(1) + "@w0");
    ReduceTaskSpec r = (ReduceTaskSpec) ((RunTask) reduceStart.get(0)).spec();
    assertThat(r.inputs()).containsExactly(out(map(0, 1)), out(map(1, 1)), out(map(2, 1)));

    WorkerReport.CanCommit ask = new WorkerReport.CanCommit(reduce(1), null);
    scheduler.report(ask, 140);
    assertThat(scheduler.drainEffects()).containsExactly(new AnswerCommit(ask,
        new WorkerReport.CommitAnswer(reduce(1), true, null)));
    assertThat(scheduler.book().job(JOB).reduces().get(0).grantedAttempt()).isEqualTo(reduce(1));

    succeed(reduce(1), "w0", 150);
    List<Effect> commit = scheduler.drainEffects();
    assertThat(commit).hasSize(1);
    CommitJob c = (CommitJob) commit.get(0);
    assertThat(c.outputPath()).isEqualTo("/out");
    assertThat(c.scratch()).isEqualTo(WORK.resolve(JOB));
    assertThat(c.success().submitTime()).isEqualTo(100);
    assertThat(c.success().startTime()).isEqualTo(100);
    assertThat(c.success().counters().get(TaskCounter.GROUP)
        .get(TaskCounter.MAP_INPUT_RECORDS.name())).isEqualTo(4);
    assertThat(scheduler.book().job(JOB).state()).isEqualTo(JobState.COMMITTING);

    scheduler.commitFinished(JOB, 170, null, 171);
    assertThat(scheduler.book().job(JOB).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(scheduler.book().job(JOB).endTime()).isEqualTo(170);
    assertThat(scheduler.drainEffects()).isEmpty();
    assertThat(journal.replay().job(JOB).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aTaskThatFailsEveryAttemptFailsTheJobAndKillsTheRest() {
    workers(2);
    submit(spec(0, EngineKeys.MAX_ATTEMPTS, "2"), 0);
    assertThat(started(scheduler.drainEffects()))
        .containsExactly(map(1, 1) + "@w0", map(2, 1) + "@w1");
    scheduler.report(new WorkerReport.AttemptFailed(map(1, 1), "w0", "boom", "trace", null), 1);
    assertThat(started(scheduler.drainEffects())).containsExactly(map(1, 2) + "@w0");
    scheduler.report(new WorkerReport.AttemptFailed(map(1, 2), "w0", "boom2", null, null), 2);
    List<Effect> end = scheduler.drainEffects();
    assertThat(end).containsExactly(new KillTask("w1", map(2, 1), "job failed"),
        new AbortJob(JOB, "/out"), new CleanUp(JOB, "/out", WORK.resolve(JOB)));
    BookJob job = scheduler.book().job(JOB);
    assertThat(job.state()).isEqualTo(JobState.FAILED);
    assertThat(job.failure()).startsWith("task m-00001 failed 2 time(s); attempt " + map(1, 2)
        + " on w0: boom2");
    // A straggler's report after the end only cleans up again.
    scheduler.report(new WorkerReport.AttemptKilled(map(2, 1), "w1", "killed"), 3);
    assertThat(scheduler.drainEffects())
        .containsExactly(new CleanUp(JOB, "/out", WORK.resolve(JOB)));
  }

  @Test
  void aSilentAttemptTimesOutAndALostWorkersAttemptsRunElsewhere() {
    workers(2);
    submit(spec(0, EngineKeys.TASK_TIMEOUT, "1000"), 0);
    scheduler.drainEffects();
    scheduler.report(new WorkerReport.AttemptProgress(map(1, 1), 0.5f), 900);
    scheduler.checkTimeouts(1001);
    List<Effect> timedOut = scheduler.drainEffects();
    assertThat(timedOut.get(0)).isEqualTo(new KillTask("w1", map(2, 1), "no progress"));
    assertThat(started(timedOut)).containsExactly(map(2, 2) + "@w1");
    assertThat(scheduler.book().job(JOB).maps().get(2).failures()).isEqualTo(1);

    scheduler.workerGone("w0", 1100);
    List<Effect> gone = scheduler.drainEffects();
    assertThat(gone).isEmpty(); // w1 is busy: map 1 waits for a slot
    assertThat(scheduler.book().job(JOB).attempt(map(1, 1)).state())
        .isEqualTo(AttemptState.KILLED);
    succeed(map(2, 2), "w1", 1200);
    assertThat(started(scheduler.drainEffects())).containsExactly(map(1, 2) + "@w1");
    assertThat(scheduler.drainWorkerViews().orElseThrow()).extracting(WorkerView::workerId)
        .containsExactly("w1");
  }

  @Test
  void killingAJobStopsItsAttemptsOnce() {
    workers(1);
    submit(spec(1), 0);
    scheduler.drainEffects();
    assertThat(scheduler.kill(JOB, 5)).isTrue();
    assertThat(scheduler.drainEffects()).containsExactly(
        new KillTask("w0", map(1, 1), "job killed"), new AbortJob(JOB, "/out"),
        new CleanUp(JOB, "/out", WORK.resolve(JOB)));
    assertThat(scheduler.kill(JOB, 6)).isFalse();
    assertThat(scheduler.kill("job-0404", 6)).isFalse();
    assertThat(scheduler.drainEffects()).isEmpty();
  }

  @Test
  void aSetupFailureFailsTheJobAtOnce() {
    workers(1);
    Outcome o = scheduler.submit(spec(1), SPLITS, BookSplit.ofAll(SPLITS, null),
        "java.io.IOException: read-only", 7);
    assertThat(o).isEqualTo(new Outcome.Applied(JOB));
    assertThat(scheduler.drainEffects()).isEmpty();
    assertThat(scheduler.book().job(JOB).failure())
        .isEqualTo("cannot create the output directory /out: java.io.IOException: read-only");
  }

  @Test
  void aJobWithNothingToRunCommitsAtOnce() {
    workers(1);
    Outcome o = scheduler.submit(spec(0), List.of(), List.of(), null, 3);
    assertThat(o).isEqualTo(new Outcome.Applied(JOB));
    assertThat(scheduler.drainEffects()).singleElement().isInstanceOf(CommitJob.class);
  }
}
