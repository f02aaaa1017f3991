package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One map or reduce task as the book knows it; changed only by {@link JobBook#apply}. */
public final class BookTask {
  private final BookJob job;
  private final TaskKind kind;
  private final int index;
  private final List<BookAttempt> attempts = new ArrayList<>();
  private boolean done;
  private String name;
  private MapOutputRef mapOutput;
  private TaskAttemptId committedAttempt;
  private TaskAttemptId grantedAttempt;
  private Counters committedCounters;
  private int failures;
  private int inputLosses;
  /** How often this task changed since it was made (see {@link #viewVersion}). */
  private int changes;

  BookTask(BookJob job, TaskKind kind, int index) {
    this.job = job;
    this.kind = kind;
    this.index = index;
  }

  public TaskKind kind() {
    return kind;
  }

  public int index() {
    return index;
  }

  public String name() {
    if (name == null) {
      name = TaskAttemptId.name(kind, index);
    }
    return name;
  }

  public List<BookAttempt> attempts() {
    return Collections.unmodifiableList(attempts);
  }

  /** The number the next attempt gets; attempts count from 1. */
  public int nextAttemptNumber() {
    return attempts.size() + 1;
  }

  public BookAttempt attempt(int number) {
    return number >= 1 && number <= attempts.size() ? attempts.get(number - 1) : null;
  }

  public List<BookAttempt> runningAttempts() {
    return attempts.stream().filter(BookAttempt::isRunning).toList();
  }

  /**
   * A number that grows with every change to the task or its attempts (each of their mutators
   * counts), so that a view made at one version holds at that version.
   */
  public long viewVersion() {
    long v = changes;
    for (int i = 0; i < attempts.size(); i++) {
      v += attempts.get(i).changes();
    }
    return v;
  }

  /** Whether any attempt runs; cheaper than {@link #runningAttempts()}. */
  public boolean hasRunningAttempt() {
    for (int i = attempts.size() - 1; i >= 0; i--) {
      if (attempts.get(i).isRunning()) {
        return true;
      }
    }
    return false;
  }

  public boolean isDone() {
    return done;
  }

  /** The committed map attempt's output; null unless this is a done map of a job with reducers. */
  public MapOutputRef mapOutput() {
    return mapOutput;
  }

  public TaskAttemptId committedAttempt() {
    return committedAttempt;
  }

  /** The attempt holding the commit grant, until it commits or ends; null when none. */
  public TaskAttemptId grantedAttempt() {
    return grantedAttempt;
  }

  public Counters committedCounters() {
    return committedCounters == null ? null : committedCounters.copy();
  }

  /** Failures that count towards {@code quern.task.max-attempts}. */
  public int failures() {
    return failures;
  }

  /** How often a reduce attempt of this task found a map output unusable. */
  public int inputLosses() {
    return inputLosses;
  }

  /** Sets what the other mutators set, from a snapshot (attempts are added with {@link #add}). */
  void restore(boolean isDone, MapOutputRef output, TaskAttemptId committed,
      TaskAttemptId granted, Counters counters, int failureCount, int inputLossCount) {
    changes++;
    setDone(isDone);
    mapOutput = output;
    committedAttempt = committed;
    grantedAttempt = granted;
    committedCounters = counters == null ? null : counters.copy();
    failures = failureCount;
    inputLosses = inputLossCount;
  }

  void add(BookAttempt a) {
    changes++;
    attempts.add(a);
  }

  /** Keeps the job's count of done tasks true, so it never counts them one by one. */
  private void setDone(boolean d) {
    if (d != done) {
      done = d;
      job.doneChanged(kind, d ? 1 : -1);
    }
  }

  void commit(TaskAttemptId attempt, MapOutputRef output, Counters counters) {
    changes++;
    setDone(true);
    committedAttempt = attempt;
    mapOutput = output;
    committedCounters = counters == null ? new Counters() : counters.copy();
    grantedAttempt = null;
  }

  void uncommit() {
    changes++;
    setDone(false);
    committedAttempt = null;
    mapOutput = null;
    committedCounters = null;
  }

  void grant(TaskAttemptId attempt) {
    changes++;
    grantedAttempt = attempt;
  }

  void releaseGrantOf(TaskAttemptId attempt) {
    changes++;
    if (attempt.equals(grantedAttempt)) {
      grantedAttempt = null;
    }
  }

  void countFailure() {
    changes++;
    failures++;
  }

  void countInputLoss() {
    changes++;
    inputLosses++;
  }
}
