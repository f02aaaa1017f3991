package dev.quern.master.engine;

import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's soft state of one job that has not ended, beside the book's: the tasks that may
 * be ready, each stage's run times, the running attempts by when they were last heard from, the
 * workers the job avoids after failures, and the locality of its map launches. Built from the
 * book when the job is accepted or the scheduler starts over a book, then kept up to date by the
 * book's events ({@link Scheduler}), so that no decision has to look at every task.
 */
final class LiveJob {
  final BookJob job;
  final JobPolicy policy;
  final PendingTasks pending;
  final SilentAttempts silent = new SilentAttempts();
  private final Stage maps = new Stage();
  private final Stage reduces = new Stage();
  /** Tasks that got their one speculative attempt. */
  final Set<BookTask> speculated = new HashSet<>();
  /** Failed attempts of this job per worker, and the workers it no longer uses. */
  final Map<String, Integer> failuresOn = new HashMap<>();
  final Set<String> excluded = new LinkedHashSet<>();
  /** When a map last started on a host of its split (or the job was accepted). */
  long lastLocalLaunch;

  /** @param splits the job's splits, or null while a stored list is not loaded */
  LiveJob(BookJob job, long now, List<BookSplit> splits) {
    this.job = job;
    this.policy = JobPolicy.lenient(job.spec().configuration());
    this.pending = new PendingTasks(job, splits);
    this.lastLocalLaunch = now;
    List<BookAttempt> running = new ArrayList<>();
    for (BookTask t : job.maps()) {
      load(t, running);
    }
    for (BookTask t : job.reduces()) {
      load(t, running);
    }
    // Oldest first, as if they had started here: speculation and timeouts read them in order.
    running.sort(Comparator.comparingLong(BookAttempt::startTime));
    for (BookAttempt a : running) {
      stage(a.id().kind()).started(a);
      silent.heard(a.id(), a.startTime());
    }
  }

  /** Reads what the book already holds of a task (a job read from a snapshot or a log). */
  private void load(BookTask t, List<BookAttempt> running) {
    for (BookAttempt a : t.attempts()) {
      if (a.isRunning()) {
        running.add(a);
      }
    }
    if (t.committedAttempt() != null) {
      BookAttempt c = t.attempt(t.committedAttempt().attempt());
      if (c != null && c.endTime() >= 0) {
        stage(t.kind()).finishedBefore(c);
      }
    }
  }

  Stage stage(TaskKind kind) {
    return kind == TaskKind.MAP ? maps : reduces;
  }

  String id() {
    return job.id();
  }
}
