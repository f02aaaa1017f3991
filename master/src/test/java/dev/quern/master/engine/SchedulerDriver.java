package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one {@link Scheduler} input by input for the policy tests: workers, a job, attempts that
 * succeed or fail, and the attempts each input started, as {@code "m-00001_2@w0"}.
 */
final class SchedulerDriver {
  static final String JOB = "job-0001";

  final Scheduler scheduler;
  /** Effects drained so far that the tests did not take yet. */
  private final List<Effect> effects = new ArrayList<>();

  SchedulerDriver() {
    this(SchedulerSettings.DEFAULTS);
  }

  SchedulerDriver(SchedulerSettings settings) {
    scheduler = new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal(), settings);
  }

  /** A worker with {@code slots} slots on {@code host}, registered at time 0. */
  SchedulerDriver worker(String id, String host, int slots) {
    scheduler.report(new WorkerReport.Register(id, host, slots, null), 0);
    return this;
  }

  static JobSpec spec(String output, int reduces, String... config) {
    Job.Builder b = Job.builder("policy").input("/in").output(output)
        .mapper(JobBookTest.NoMapper.class).mapOutput(String.class, Long.class)
        .reduceTasks(reduces);
    for (int i = 0; i < config.length; i += 2) {
      b.set(config[i], config[i + 1]);
    }
    return b.build().spec();
  }

  /** Splits of lengths {@code 100 * n, 100 * (n - 1), ...}: maps start in index order. */
  static List<InputSplit> splits(int n) {
    List<InputSplit> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new FileSplit("/in/f" + i, 0, 100L * (n - i), List.of()));
    }
    return out;
  }

  /** Splits in index order by length, split {@code i} on the hosts {@code hosts[i]}. */
  static List<InputSplit> splitsOn(List<List<String>> hosts) {
    List<InputSplit> out = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      out.add(new FileSplit("/in/f" + i, 0, 100L * (hosts.size() - i), hosts.get(i)));
    }
    return out;
  }

  /** Submits a job; returns its id. */
  String submit(JobSpec spec, List<InputSplit> splits, long time) {
    Outcome o = scheduler.submit(spec, splits, BookSplit.ofAll(splits, null), null, time);
    assertThat(o).isInstanceOf(Outcome.Applied.class);
    return ((Outcome.Applied) o).jobId();
  }

  static TaskAttemptId map(String job, int index, int attempt) {
    return new TaskAttemptId(job, TaskKind.MAP, index, attempt);
  }

  static TaskAttemptId map(int index, int attempt) {
    return map(JOB, index, attempt);
  }

  static TaskAttemptId reduce(int index, int attempt) {
    return new TaskAttemptId(JOB, TaskKind.REDUCE, index, attempt);
  }

  static MapOutputRef output(TaskAttemptId a) {
    return new MapOutputRef(a.taskIndex(), a, "h", "/d/" + a.dirName(), "/i/" + a.dirName());
  }

  /** A map attempt (of a job with reduces) succeeds. */
  void mapDone(TaskAttemptId a, long time) {
    scheduler.report(new WorkerReport.AttemptSucceeded(a, worker(a),
        new TaskResult(a, new Counters(), output(a))), time);
  }

  /** An output-writing attempt asks to commit, then succeeds. */
  void commitDone(TaskAttemptId a, long time) {
    scheduler.report(new WorkerReport.CanCommit(a, null), time);
    scheduler.report(new WorkerReport.AttemptSucceeded(a, worker(a),
        new TaskResult(a, new Counters(), null)), time);
  }

  void fail(TaskAttemptId a, long time) {
    scheduler.report(new WorkerReport.AttemptFailed(a, worker(a), "boom", null, null), time);
  }

  /** The worker the book says runs the attempt. */
  String worker(TaskAttemptId a) {
    return scheduler.book().job(a.jobId()).attempt(a).workerId();
  }

  /** The effects since the last call. */
  List<Effect> effects() {
    effects.addAll(scheduler.drainEffects());
    List<Effect> out = List.copyOf(effects);
    effects.clear();
    return out;
  }

  /** The attempts started since the last call, as "attempt@worker", in order. */
  List<String> started() {
    return effects().stream().filter(e -> e instanceof RunTask).map(e -> (RunTask) e)
        .map(r -> r.spec().id() + "@" + r.workerId()).toList();
  }

  /** The specs of the attempts started since the last call. */
  List<RunTask> runs() {
    return effects().stream().filter(e -> e instanceof RunTask).map(e -> (RunTask) e).toList();
  }

  static String at(TaskAttemptId a, String worker) {
    return a + "@" + worker;
  }
}
