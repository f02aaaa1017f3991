package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One job as the book knows it; changed only by {@link JobBook#apply}. */
public final class BookJob {
  private final String id;
  private final JobSpec spec;
  /** The splits, when the book holds them (else empty, and {@link #stored} names them). */
  private final List<BookSplit> splits;
  private final StoredSplits stored;
  private final long submitTime;
  private final int maxAttempts;
  private final boolean speculative;
  private final long taskTimeout;
  private final List<BookTask> maps = new ArrayList<>();
  private final List<BookTask> reduces = new ArrayList<>();
  private long startTime = -1;
  private long endTime = -1;
  private JobState state = JobState.ACCEPTED;
  private String failure;
  /** Tasks done, kept by {@link BookTask} as they change: the checks below are O(1). */
  private int doneMaps;
  private int doneReduces;

  BookJob(String id, JobSpec spec, List<BookSplit> splits, StoredSplits stored,
      long submitTime) {
    this.id = id;
    this.spec = spec;
    this.splits = List.copyOf(splits);
    this.stored = stored;
    this.submitTime = submitTime;
    this.maxAttempts = Math.max(1, spec.configuration().getInt(EngineKeys.MAX_ATTEMPTS,
        EngineKeys.DEFAULT_MAX_ATTEMPTS));
    this.speculative = spec.configuration().getBoolean(EngineKeys.SPECULATION,
        spec.configuration().getBoolean(EngineKeys.SPECULATIVE, false));
    this.taskTimeout = Math.max(0, spec.configuration().getLong(EngineKeys.TASK_TIMEOUT,
        EngineKeys.DEFAULT_TASK_TIMEOUT));
    int mapCount = stored == null ? splits.size() : stored.count();
    for (int i = 0; i < mapCount; i++) {
      maps.add(new BookTask(this, TaskKind.MAP, i));
    }
    for (int i = 0; i < spec.reduceTasks(); i++) {
      reduces.add(new BookTask(this, TaskKind.REDUCE, i));
    }
  }

  public String id() {
    return id;
  }

  public JobSpec spec() {
    return spec;
  }

  /**
   * The splits the book holds: all of them for a job accepted with its splits, none for one whose
   * list is in the split store ({@link #stored}); {@link #maps} has one task per split either way.
   */
  public List<BookSplit> splits() {
    return splits;
  }

  /** Where the job's split list is stored, or null when the book holds the splits. */
  public StoredSplits stored() {
    return stored;
  }

  public long submitTime() {
    return submitTime;
  }

  /** -1 until the first attempt starts. */
  public long startTime() {
    return startTime;
  }

  /** -1 until the job ends. */
  public long endTime() {
    return endTime;
  }

  public JobState state() {
    return state;
  }

  public String failure() {
    return failure;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public boolean speculative() {
    return speculative;
  }

  /** Milliseconds an attempt may stay silent before it is failed; 0 means never. */
  public long taskTimeout() {
    return taskTimeout;
  }

  public List<BookTask> maps() {
    return Collections.unmodifiableList(maps);
  }

  public List<BookTask> reduces() {
    return Collections.unmodifiableList(reduces);
  }

  public BookTask task(TaskKind kind, int index) {
    List<BookTask> tasks = kind == TaskKind.MAP ? maps : reduces;
    return index >= 0 && index < tasks.size() ? tasks.get(index) : null;
  }

  public BookTask task(TaskAttemptId attempt) {
    return attempt.jobId().equals(id) ? task(attempt.kind(), attempt.taskIndex()) : null;
  }

  public BookAttempt attempt(TaskAttemptId attempt) {
    BookTask t = task(attempt);
    return t == null ? null : t.attempt(attempt.attempt());
  }

  public boolean allMapsDone() {
    return doneMaps == maps.size();
  }

  /** How many of the job's maps (or reduces) are done. */
  public int doneCount(TaskKind kind) {
    return kind == TaskKind.MAP ? doneMaps : doneReduces;
  }

  /** Whether every task whose work is the job's result has committed. */
  public boolean allTasksDone() {
    return allMapsDone() && doneReduces == reduces.size();
  }

  void doneChanged(TaskKind kind, int delta) {
    if (kind == TaskKind.MAP) {
      doneMaps += delta;
    } else {
      doneReduces += delta;
    }
  }

  public List<BookAttempt> runningAttempts() {
    List<BookAttempt> out = new ArrayList<>();
    for (BookTask t : maps) {
      if (t.hasRunningAttempt()) {
        out.addAll(t.runningAttempts());
      }
    }
    for (BookTask t : reduces) {
      if (t.hasRunningAttempt()) {
        out.addAll(t.runningAttempts());
      }
    }
    return out;
  }

  /**
   * The job's counters: the totals of each task's committed attempt, plus the engine's counts of
   * launched and failed attempts.
   */
  public Counters counters() {
    Counters total = new Counters();
    long launchedMaps = 0;
    long failedMaps = 0;
    long launchedReduces = 0;
    long failedReduces = 0;
    for (BookTask t : maps) {
      add(total, t);
      launchedMaps += t.attempts().size();
      failedMaps += t.attempts().stream().filter(a -> a.state() == AttemptState.FAILED).count();
    }
    for (BookTask t : reduces) {
      add(total, t);
      launchedReduces += t.attempts().size();
      failedReduces += t.attempts().stream().filter(a -> a.state() == AttemptState.FAILED).count();
    }
    total.increment(TaskCounter.LAUNCHED_MAP_ATTEMPTS, launchedMaps);
    total.increment(TaskCounter.FAILED_MAP_ATTEMPTS, failedMaps);
    total.increment(TaskCounter.LAUNCHED_REDUCE_ATTEMPTS, launchedReduces);
    total.increment(TaskCounter.FAILED_REDUCE_ATTEMPTS, failedReduces);
    return total;
  }

  private static void add(Counters total, BookTask t) {
    Counters c = t.committedCounters();
    if (c == null) {
      return;
    }
    // The engine owns the attempt counts; a runner's own copies of them would count twice.
    c.asMap().forEach((group, names) -> names.forEach((name, v) -> {
      if (!(TaskCounter.GROUP.equals(group) && isAttemptCount(name))) {
        total.increment(group, name, v);
      }
    }));
  }

  private static boolean isAttemptCount(String name) {
    return name.equals(TaskCounter.LAUNCHED_MAP_ATTEMPTS.name())
        || name.equals(TaskCounter.LAUNCHED_REDUCE_ATTEMPTS.name())
        || name.equals(TaskCounter.FAILED_MAP_ATTEMPTS.name())
        || name.equals(TaskCounter.FAILED_REDUCE_ATTEMPTS.name());
  }

  void started(long time) {
    if (state == JobState.ACCEPTED) {
      state = JobState.RUNNING;
      startTime = time;
    }
  }

  /** Sets what {@link #started} and {@link #end} set, from a snapshot. */
  void restore(JobState s, long start, long end, String reason) {
    state = s;
    startTime = start;
    endTime = end;
    failure = reason;
  }

  void state(JobState s) {
    state = s;
  }

  void end(JobState s, long time, String reason) {
    state = s;
    endTime = time;
    failure = reason;
    if (startTime < 0) {
      startTime = time;
    }
  }
}
