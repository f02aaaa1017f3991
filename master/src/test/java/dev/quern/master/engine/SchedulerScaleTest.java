package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.Effect.AnswerCommit;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduler's work per decision stays bounded as a job grows: the tasks it looks at (its own
 * count, not a time) and the job views it builds, for a whole job run through it message by
 * message, at two sizes ten times apart.
 */
@ExtendWith(Seeds.class)
class SchedulerScaleTest {
  private static final String JOB = "job-0001";

  /** What one job's run through the scheduler cost, and what it did. */
  private record Run(long messages, long examined, long views, long elapsedMs,
      List<Integer> mapOrder, JobState state) {}

  private static JobSpec spec(int reduces) {
    return Job.builder("scale").input("/in").output("/out")
        .mapper(JobBookTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(reduces).build().spec();
  }

  /**
   * Runs a job of {@code maps} maps and {@code reduces} reduces on 2 workers of 2 slots: every
   * attempt reports running, progress, then success (a reduce asks to commit first); every
   * 17th map attempt fails once. Time moves 1 ms per message.
   */
  private static Run run(int maps, int reduces, Random random) {
    Scheduler s = new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal());
    List<InputSplit> splits = new ArrayList<>();
    for (int i = 0; i < maps; i++) {
      splits.add(new FileSplit("/in/f" + i, 0, 1 + random.nextInt(1_000_000), List.of()));
    }
    long[] clock = {0};
    long messages = 0;
    s.report(new WorkerReport.Register("w0", "h0", 2, null), clock[0]++);
    s.report(new WorkerReport.Register("w1", "h1", 2, null), clock[0]++);
    s.submit(spec(reduces), splits, BookSplit.ofAll(splits, null), null, clock[0]++);
    long views = s.drainJobViews().size();
    Deque<RunTask> toRun = new ArrayDeque<>();
    List<Integer> mapOrder = new ArrayList<>();
    List<TaskAttemptId> failedOnce = new ArrayList<>();
    collect(s, toRun);
    while (!toRun.isEmpty()) {
      RunTask r = toRun.poll();
      TaskAttemptId a = r.spec().id();
      if (a.kind() == TaskKind.MAP && a.attempt() == 1) {
        mapOrder.add(a.taskIndex());
      }
      List<WorkerReport> reports = new ArrayList<>();
      reports.add(new WorkerReport.AttemptRunning(a, r.workerId()));
      reports.add(new WorkerReport.AttemptProgress(a, 0.5f));
      if (a.kind() == TaskKind.MAP && a.taskIndex() % 17 == 0 && a.attempt() == 1) {
        failedOnce.add(a);
        reports.add(new WorkerReport.AttemptFailed(a, r.workerId(), "injected", null, null));
      } else if (a.kind() == TaskKind.MAP) {
        reports.add(new WorkerReport.AttemptSucceeded(a, r.workerId(), new TaskResult(a,
            new Counters(), new MapOutputRef(a.taskIndex(), a, "h", "/d", "/i"))));
      } else {
        reports.add(new WorkerReport.CanCommit(a, null));
        reports.add(new WorkerReport.AttemptSucceeded(a, r.workerId(),
            new TaskResult(a, new Counters(), null)));
      }
      for (WorkerReport report : reports) {
        s.report(report, clock[0]++);
        messages++;
        views += s.drainJobViews().size();
        collect(s, toRun);
      }
    }
    s.commitFinished(JOB, clock[0], null, clock[0]++);
    views += s.drainJobViews().size();
    assertThat(failedOnce).hasSize((maps + 16) / 17);
    return new Run(messages, s.examinedTasks(), views, clock[0], mapOrder,
        s.book().job(JOB).state());
  }

  private static void collect(Scheduler s, Deque<RunTask> toRun) {
    for (Effect e : s.drainEffects()) {
      if (e instanceof RunTask r) {
        toRun.add(r);
      } else {
        assertThat(e).isInstanceOfAny(AnswerCommit.class, Effect.CommitJob.class);
      }
    }
  }

  @Test
  void tasksLookedAtPerDecisionDoNotGrowWithTheJob(Seed seed) {
    Run small = run(500, 50, new Random(seed.derive(1)));
    Run large = run(5_000, 500, new Random(seed.derive(2)));
    for (Run r : List.of(small, large)) {
      assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
      // Each message leads to at most one launch, which looks at the task it launches plus the
      // stale entries events left (at most one per event): a small constant per message.
      assertThat(r.examined()).isLessThanOrEqualTo(2 * r.messages());
    }
    double smallPer = (double) small.examined() / small.messages();
    double largePer = (double) large.examined() / large.messages();
    assertThat(largePer).isLessThanOrEqualTo(smallPer * 1.2);
  }

  @Test
  void mapsStillStartLargestSplitFirst(Seed seed) {
    long splitSeed = seed.derive(3);
    Run r = run(300, 3, new Random(splitSeed));
    // The same splits again, sorted independently: length descending, then index.
    Random again = new Random(splitSeed);
    long[] lengths = new long[300];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 1 + again.nextInt(1_000_000);
    }
    List<Integer> expected = IntStream.range(0, lengths.length).boxed()
        .sorted(Comparator.comparingLong((Integer i) -> -lengths[i]).thenComparingInt(i -> i))
        .toList();
    assertThat(r.mapOrder()).isEqualTo(expected);
  }

  @Test
  void jobViewsAreBuiltAtABoundedRate(Seed seed) {
    Run large = run(5_000, 500, new Random(seed.derive(4)));
    long step = Scheduler.VIEW_STEP_MS + 5_500 / 5;
    // One per step of the job's time, plus one per state change of the job (accepted, running,
    // committing, succeeded); against one per message before.
    assertThat(large.views()).isLessThanOrEqualTo(large.elapsedMs() / step + 1 + 4);
    assertThat(large.views()).isLessThan(large.messages() / 20);
  }

  /** What a run on a cluster of several hosts cost, and what it did. */
  private record ClusterRun(long inputs, long examined, long speculated, long dataLocal,
      long otherLocal, JobState state) {}

  /** A map attempt whose success is held back until {@code due}. */
  private record Held(RunTask run, long due) {}

  /**
   * Runs a job of {@code maps} maps and {@code reduces} reduces on 8 workers of 2 slots on 4 hosts,
   * with speculation, locality (each split on 2 of 6 hosts, 2 of which have no worker) and a
   * timeout tick every 10 messages: every 29th map to start, and the last 3, are stragglers whose
   * success comes 200 ms later, time moving 1 ms per message.
   */
  private static ClusterRun runOnCluster(int maps, int reduces, Random random) {
    Scheduler s = new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal());
    List<InputSplit> splits = new ArrayList<>();
    for (int i = 0; i < maps; i++) {
      int a = random.nextInt(6);
      int b = (a + 1 + random.nextInt(5)) % 6;
      splits.add(new FileSplit("/in/f" + i, 0, 1 + random.nextInt(1_000_000),
          List.of("h" + a, "h" + b)));
    }
    long clock = 0;
    long inputs = 0;
    for (int w = 0; w < 8; w++) {
      s.report(new WorkerReport.Register("w" + w, "h" + (w % 4), 2, null), clock++);
    }
    JobSpec spec = Job.builder("scale").input("/in").output("/out")
        .mapper(JobBookTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(reduces).set(EngineKeys.SPECULATION, "true")
        .set(EngineKeys.SPECULATION_MIN_RUNTIME, "0").set(EngineKeys.LOCALITY_WAIT, "5ms")
        .set(EngineKeys.TASK_TIMEOUT, "100000").build().spec();
    s.submit(spec, splits, BookSplit.ofAll(splits, null), null, clock++);
    Deque<RunTask> toRun = new ArrayDeque<>();
    Deque<Held> held = new ArrayDeque<>();
    long speculated = 0;
    long firstLaunches = 0;
    collect(s, toRun);
    while (!toRun.isEmpty() || !held.isEmpty()) {
      List<WorkerReport> reports = new ArrayList<>();
      if (toRun.isEmpty() || held.peek() != null && held.peek().due() <= clock) {
        Held h = held.poll();
        clock = Math.max(clock, h.due());
        TaskAttemptId a = h.run().spec().id();
        reports.add(new WorkerReport.AttemptSucceeded(a, h.run().workerId(), new TaskResult(a,
            new Counters(), new MapOutputRef(a.taskIndex(), a, "h", "/d", "/i"))));
      } else {
        RunTask r = toRun.poll();
        TaskAttemptId a = r.spec().id();
        speculated += a.attempt() > 1 ? 1 : 0;
        firstLaunches += a.kind() == TaskKind.MAP && a.attempt() == 1 ? 1 : 0;
        reports.add(new WorkerReport.AttemptRunning(a, r.workerId()));
        reports.add(new WorkerReport.AttemptProgress(a, 0.5f));
        if (a.kind() == TaskKind.MAP && a.attempt() == 1
            && (firstLaunches % 29 == 0 || firstLaunches > maps - 3)) {
          held.add(new Held(r, clock + 200));
        } else if (a.kind() == TaskKind.MAP) {
          reports.add(new WorkerReport.AttemptSucceeded(a, r.workerId(), new TaskResult(a,
              new Counters(), new MapOutputRef(a.taskIndex(), a, "h", "/d", "/i"))));
        } else {
          reports.add(new WorkerReport.CanCommit(a, null));
          reports.add(new WorkerReport.AttemptSucceeded(a, r.workerId(),
              new TaskResult(a, new Counters(), null)));
        }
      }
      for (WorkerReport report : reports) {
        s.report(report, clock++);
        inputs++;
        if (inputs % 10 == 0) {
          s.checkTimeouts(clock);
          inputs++;
        }
        s.drainJobViews();
        s.drainWorkerViews();
        collectAll(s, toRun);
      }
    }
    s.commitFinished(JOB, clock, null, clock);
    BookJob job = s.book().job(JOB);
    Map<String, Long> counters = job.counters().asMap().get(TaskCounter.GROUP);
    JobView last = s.drainJobViews().get(0);
    Map<String, Long> viewCounters = last.counters().get(TaskCounter.GROUP);
    assertThat(counters).doesNotContainKey(Scheduler.DATA_LOCAL_MAPS);
    return new ClusterRun(inputs, s.examinedTasks(), speculated,
        viewCounters.get(Scheduler.DATA_LOCAL_MAPS), viewCounters.get(Scheduler.OTHER_LOCAL_MAPS),
        job.state());
  }

  /** As {@link #collect}, allowing kills (of stragglers whose copies won). */
  private static void collectAll(Scheduler s, Deque<RunTask> toRun) {
    for (Effect e : s.drainEffects()) {
      if (e instanceof RunTask r) {
        toRun.add(r);
      }
    }
  }

  @Test
  void timeoutsSpeculationAndLocalityLookAtABoundedNumberOfTasksPerInput(Seed seed) {
    ClusterRun small = runOnCluster(500, 50, new Random(seed.derive(5)));
    ClusterRun large = runOnCluster(5_000, 500, new Random(seed.derive(6)));
    for (ClusterRun r : List.of(small, large)) {
      assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
      // The paths under test were taken: copies of stragglers, maps on and off their hosts.
      assertThat(r.speculated()).isPositive();
      assertThat(r.dataLocal()).isPositive();
      assertThat(r.otherLocal()).isPositive();
      assertThat(r.examined()).isLessThanOrEqualTo(3 * r.inputs());
    }
    double smallPer = (double) small.examined() / small.inputs();
    double largePer = (double) large.examined() / large.inputs();
    assertThat(largePer).isLessThanOrEqualTo(smallPer * 1.2);
  }

  @Test
  void theViewsOfManyWorkersArePublishedAtABoundedRate() {
    Scheduler s = new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal());
    int workers = Workers.EAGER_VIEW_WORKERS + 36;
    for (int w = 0; w < workers; w++) {
      s.report(new WorkerReport.Register("w" + w, "h" + w, 1, null), 0);
    }
    assertThat(s.drainWorkerViews().orElseThrow()).hasSize(workers);
    List<InputSplit> splits = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      splits.add(new FileSplit("/in/f" + i, 0, 1, List.of()));
    }
    s.submit(spec(0), splits, BookSplit.ofAll(splits, null), null, 1);
    int views = s.drainWorkerViews().isPresent() ? 1 : 0;
    // A slot changes at every ms for 1.5 s (each attempt killed and started again): one view,
    // 1 s after the last.
    Deque<RunTask> toRun = new ArrayDeque<>();
    collect(s, toRun);
    for (long clock = 2; clock <= 1_500; clock++) {
      RunTask r = toRun.poll();
      s.report(new WorkerReport.AttemptKilled(r.spec().id(), r.workerId(), "x"), clock);
      views += s.drainWorkerViews().isPresent() ? 1 : 0;
      collect(s, toRun);
    }
    assertThat(views).isEqualTo(1);
    // A worker that goes is published at once.
    s.workerGone("w0", 1_501);
    assertThat(s.drainWorkerViews().orElseThrow()).hasSize(workers - 1);
  }
}
