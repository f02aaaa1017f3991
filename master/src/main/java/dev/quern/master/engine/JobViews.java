package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobState;
import dev.quern.api.TaskCounter;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link JobView}s from the book plus the soft progress of running attempts. */
public final class JobViews {
  private JobViews() {}

  public static JobView of(BookJob job, Map<TaskAttemptId, Float> progress) {
    return of(job, progress, null);
  }

  /**
   * As {@link #of(BookJob, Map)}, with counters the scheduler keeps beside the book's ({@code
   * extra}, may be null) added to the job's.
   */
  public static JobView of(BookJob job, Map<TaskAttemptId, Float> progress, Counters extra) {
    return of(job, progress, extra, null);
  }

  /**
   * Views of a job's finished tasks, kept from one build of the job's view to the next: a task
   * that is done and runs no attempt has a view that changes only when the task does (its {@link
   * BookTask#viewVersion}), and with thousands of tasks building every one again (each attempt's
   * counters copied and turned into a map) was most of the cost of a view.
   */
  public static final class Cache {
    private final Map<BookTask, Kept> kept = new IdentityHashMap<>();
  }

  private record Kept(long version, TaskView view) {}

  /** As {@link #of(BookJob, Map, Counters)}, reusing and filling {@code cache} (may be null). */
  public static JobView of(BookJob job, Map<TaskAttemptId, Float> progress, Counters extra,
      Cache cache) {
    List<TaskView> maps = new ArrayList<>(job.maps().size());
    for (BookTask t : job.maps()) {
      maps.add(task(job, t, progress, cache));
    }
    List<TaskView> reduces = new ArrayList<>(job.reduces().size());
    for (BookTask t : job.reduces()) {
      reduces.add(task(job, t, progress, cache));
    }
    boolean succeeded = job.state() == JobState.SUCCEEDED;
    return new JobView(job.id(), job.spec().name(), job.spec().user(), job.state(),
        job.submitTime(), job.startTime(), job.endTime(),
        succeeded ? 1 : average(maps), succeeded ? 1 : average(reduces),
        (extra == null ? job.counters() : job.counters().add(extra)).asMap(), job.failure(), job.spec().outputPath(), maps, reduces, job.spec());
  }

  private static double average(List<TaskView> tasks) {
    if (tasks.isEmpty()) {
      return 1;
    }
    return tasks.stream().mapToDouble(TaskView::progress).sum() / tasks.size();
  }

  private static TaskView task(BookJob job, BookTask t, Map<TaskAttemptId, Float> progress,
      Cache cache) {
    if (cache == null || !t.isDone() || t.hasRunningAttempt()) {
      return task(job, t, progress);
    }
    long version = t.viewVersion();
    Kept k = cache.kept.get(t);
    if (k == null || k.version() != version) {
      k = new Kept(version, task(job, t, progress));
      cache.kept.put(t, k);
    }
    return k.view();
  }

  private static TaskView task(BookJob job, BookTask t, Map<TaskAttemptId, Float> progress) {
    List<AttemptView> attempts = new ArrayList<>();
    double best = 0;
    for (BookAttempt a : t.attempts()) {
      AttemptView v = attempt(t.kind(), job.spec().reduceTasks() == 0, a, progress);
      attempts.add(v);
      if (a.isRunning()) {
        best = Math.max(best, v.progress());
      }
    }
    String input = t.kind() == TaskKind.REDUCE ? "partition " + t.index()
        : job.stored() == null ? job.splits().get(t.index()).describe()
        // The book holds no split of a stored list (only the leader loads it, to schedule).
        : "split " + t.index() + " of " + job.stored().count() + " (split list "
            + job.stored().shortHash() + ")";
    return new TaskView(t.name(), t.kind(), t.index(), state(job, t), t.isDone() ? 1 : best, input,
        t.committedAttempt() == null ? null : t.committedAttempt().toString(),
        t.mapOutput() == null ? null : t.mapOutput().dataFile(), attempts);
  }

  private static TaskState state(BookJob job, BookTask t) {
    if (t.isDone()) {
      return TaskState.DONE;
    }
    if (!t.runningAttempts().isEmpty()) {
      return TaskState.RUNNING;
    }
    return switch (job.state()) {
      case FAILED -> TaskState.FAILED;
      case KILLED -> TaskState.KILLED;
      default -> TaskState.PENDING;
    };
  }

  private static AttemptView attempt(TaskKind kind, boolean mapOnly, BookAttempt a,
      Map<TaskAttemptId, Float> progress) {
    Counters c = a.counters();
    long records = 0;
    long bytes = 0;
    long outRecords = 0;
    long outBytes = 0;
    if (c != null) {
      // A reduce, or a map with no reduce after it, writes the job's output; other maps feed
      // the shuffle.
      boolean writesOutput = kind == TaskKind.REDUCE || mapOnly;
      outRecords = c.get(writesOutput ? TaskCounter.OUTPUT_RECORDS
          : TaskCounter.MAP_OUTPUT_RECORDS);
      outBytes = c.get(writesOutput ? TaskCounter.OUTPUT_BYTES : TaskCounter.MAP_OUTPUT_BYTES);
      records = c.get(kind == TaskKind.MAP ? TaskCounter.MAP_INPUT_RECORDS
          : TaskCounter.REDUCE_INPUT_RECORDS);
      bytes = c.get(kind == TaskKind.MAP ? TaskCounter.MAP_INPUT_BYTES
          : TaskCounter.SHUFFLE_BYTES);
    }
    double p = switch (a.state()) {
      case RUNNING -> progress.getOrDefault(a.id(), 0f);
      case SUCCEEDED, OUTPUT_LOST -> 1;
      default -> 0;
    };
    return new AttemptView(a.id().toString(), a.id().attempt(), a.workerId(), a.startTime(),
        a.endTime(), a.state(), p, records, bytes, outRecords, outBytes, a.error(),
        a.stackTrace(), c == null ? Map.of() : c.asMap());
  }
}
