package dev.quern.master.engine;

import dev.quern.worker.task.TaskKind;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * The tasks of one live job that may be ready to run, in the order the {@link Scheduler} launches
 * them: maps largest split first (then by index), reduces by index. A task is offered whenever an
 * event may have made it ready (the job's acceptance, an attempt that failed or was killed, a map
 * output that was lost) and checked again when taken, so a scheduling decision looks at the tasks
 * it launches plus the stale entries it drops, never at the whole job.
 */
final class PendingTasks {
  private final BookJob job;
  private final TreeSet<BookTask> maps;
  private final TreeSet<BookTask> reduces = new TreeSet<>(Comparator.comparingInt(BookTask::index));
  /** The map outputs handed to each reduce, while no map output changed; null to rebuild. */
  java.util.List<dev.quern.worker.task.MapOutputRef> mapOutputs;

  /** Every task of {@code job} that is not done, as a job just accepted or read from a book. */
  PendingTasks(BookJob job) {
    this.job = job;
    this.maps = new TreeSet<>(Comparator
        .comparingLong((BookTask t) -> -job.splits().get(t.index()).length())
        .thenComparingInt(BookTask::index));
    for (BookTask t : job.maps()) {
      offer(t);
    }
    for (BookTask t : job.reduces()) {
      offer(t);
    }
  }

  BookJob job() {
    return job;
  }

  /** Notes that {@code task} may be ready; a task already offered stays once. */
  void offer(BookTask task) {
    if (task != null && !task.isDone()) {
      (task.kind() == TaskKind.MAP ? maps : reduces).add(task);
    }
  }

  /**
   * Takes the next ready task of the job's current phase (maps until all are done, then reduces),
   * or null when it has none; {@code examined} counts each task looked at.
   */
  BookTask next(long[] examined) {
    TreeSet<BookTask> phase = job.allMapsDone() ? reduces : maps;
    BookTask t;
    while ((t = phase.pollFirst()) != null) {
      examined[0]++;
      if (!t.isDone() && !t.hasRunningAttempt()) {
        return t;
      }
      // Running or done: the event that makes it ready again offers it again.
    }
    return null;
  }
}
