package dev.quern.master.cluster;

import dev.quern.api.JobState;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.BookAttempt;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.BookTask;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.JobViews;
import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import dev.quern.worker.task.TaskAttemptId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The progress of running attempts in the job views a master publishes. Progress is the leader's
 * soft state: workers report it ({@code AttemptProgress}), and it is not in the log. The leader
 * records it here ({@link #report}); every view this master publishes carries it, both the views
 * of the replicated book on apply ({@link #publish}) and the leader's refreshes of the latest view
 * ({@link #refresh}, from its tick). A follower asks the leader for its progress ({@link
 * LeaderProgress}, over the cluster's HTTP) and records the answer ({@link #fromLeader}), so its
 * views show what the leader's do; while the leader does not answer, it shows the book's state
 * (0 for running attempts) and says so ({@link #note}). A new leader starts from what it last
 * heard as a follower and goes on from the reports it hears.
 *
 * <p>Views are published under one lock, and a refresh patches the view published last, so a
 * refresh never brings back an older state of the book than the one applied.
 */
public final class ProgressViews {
  /** How often views are refreshed for progress alone (a big job's view is costly to build). */
  private static final long REFRESH_NANOS = 500_000_000L;

  private final ClusterMonitor monitor;
  private final long refreshNanos;
  private final Map<TaskAttemptId, Float> progress = new ConcurrentHashMap<>();
  private final Set<String> changed = ConcurrentHashMap.newKeySet();
  private long lastRefresh;
  /**
   * When each live big job's view was last built on apply, and in which state (the apply thread
   * only): see {@link #publish}.
   */
  private final Map<String, Built> built = new HashMap<>();

  private record Built(JobState state, long nanos) {}

  /** A job of at most this many tasks has its view rebuilt on every entry that changes it. */
  static final int EAGER_VIEW_TASKS = 256;

  /**
   * Why the running attempts' progress shown here may not be the leader's (null: it is): a
   * follower whose leader did not answer shows the book's state.
   */
  private volatile String note;

  /** The workers the leader's scheduler excludes for every job (soft state; empty elsewhere). */
  private volatile Set<String> excluded = Set.of();

  /** The leader's tick: the workers its scheduler excludes for every job now. */
  void excluded(Set<String> workers) {
    excluded = Set.copyOf(workers);
  }

  /** The workers excluded for every job, as the leader's scheduler last said (workers page). */
  Set<String> excluded() {
    return excluded;
  }

  /** Where the views go. */
  ClusterMonitor monitor() {
    return monitor;
  }

  ProgressViews(ClusterMonitor monitor) {
    this(monitor, REFRESH_NANOS);
  }

  /** @param refreshNanos the least time between two refreshes (0: every {@link #refresh}) */
  ProgressViews(ClusterMonitor monitor, long refreshNanos) {
    this.monitor = monitor;
    this.refreshNanos = refreshNanos;
    this.lastRefresh = System.nanoTime() - refreshNanos;
  }

  /** Publishes the view of {@code job} from the replicated book (the apply thread). */
  void publish(BookJob job) {
    // A view costs a pass over every task: rebuilt for each entry of a job of thousands of maps,
    // it would hold the apply thread (and so the Raft node) for a time that grows with the square
    // of the job. A big job's view is rebuilt at once when its state changes, else at most once
    // per 200 ms plus 1 ms per 5 tasks (as the scheduler's own views), by the next entry after
    // that; so it may lag its last entries while none follows (a few seconds at most in a job
    // that runs, since attempts keep ending).
    int size = job.maps().size() + job.reduces().size();
    long now = System.nanoTime();
    Built last = built.get(job.id());
    if (size > EAGER_VIEW_TASKS && last != null && last.state() == job.state()
        && now - last.nanos() < (200 + size / 5) * 1_000_000L) {
      return;
    }
    if (job.state().isFinal() || size <= EAGER_VIEW_TASKS) {
      built.remove(job.id());
    } else {
      built.put(job.id(), new Built(job.state(), now));
    }
    synchronized (this) {
      monitor.publish(JobViews.of(job, progress));
    }
    if (progress.isEmpty()) {
      return;
    }
    // Attempts that no longer run keep no progress here.
    if (job.state().isFinal()) {
      progress.keySet().removeIf(id -> id.jobId().equals(job.id()));
      return;
    }
    for (List<BookTask> tasks : List.of(job.maps(), job.reduces())) {
      for (BookTask t : tasks) {
        for (BookAttempt a : t.attempts()) {
          if (!a.isRunning()) {
            progress.remove(a.id());
          }
        }
      }
    }
  }

  /** A running attempt's progress, as its worker reported it to the leader. */
  void report(TaskAttemptId attempt, float fraction) {
    progress.put(attempt, fraction);
    changed.add(attempt.jobId());
  }

  /**
   * Republishes, at most twice a second, the views of the jobs whose progress changed: the view
   * published last, with the progress known now.
   */
  synchronized void refresh() {
    long now = System.nanoTime();
    if (changed.isEmpty() || now - lastRefresh < refreshNanos) {
      return;
    }
    lastRefresh = now;
    for (Iterator<String> it = changed.iterator(); it.hasNext(); ) {
      String id = it.next();
      it.remove();
      synchronized (this) {
        monitor.job(id).filter(v -> !v.state().isFinal())
            .ifPresent(v -> monitor.publish(withProgress(v)));
      }
    }
  }

  /** The running attempts' progress as this master knows it now (the leader's answer). */
  Map<String, Float> snapshot() {
    Map<String, Float> out = new java.util.TreeMap<>();
    progress.forEach((id, f) -> out.put(id.toString(), f));
    return out;
  }

  /**
   * A follower heard the leader's progress: its views show exactly that from now (attempts the
   * leader no longer lists lose theirs), republished at once.
   */
  void fromLeader(Map<TaskAttemptId, Float> leader) {
    for (TaskAttemptId id : progress.keySet()) {
      if (!leader.containsKey(id)) {
        progress.remove(id);
        changed.add(id.jobId());
      }
    }
    leader.forEach((id, f) -> {
      Float before = progress.put(id, f);
      if (before == null || before.floatValue() != f.floatValue()) {
        changed.add(id.jobId());
      }
    });
    note = null;
    refreshNow();
  }

  /**
   * A follower cannot hear the leader's progress ({@code why}): its views fall back to the
   * book's state, 0 for running attempts, and {@link #note} says so.
   */
  void leaderUnreachable(String why) {
    note = "running attempts' progress not known here: " + why + "; showing the replicated "
        + "book's state";
    if (!progress.isEmpty()) {
      progress.keySet().forEach(id -> changed.add(id.jobId()));
      progress.clear();
      refreshNow();
    }
  }

  /** Null when the progress shown is the leader's; else why not (the API's marker). */
  String note() {
    return note;
  }

  /** This master leads now: the progress it shows is its own. */
  void leading() {
    note = null;
  }

  private synchronized void refreshNow() {
    lastRefresh = System.nanoTime() - refreshNanos;
    refresh();
  }

  /** Leadership is lost: the progress this master knew is forgotten, and its views show so. */
  void clear() {
    progress.keySet().forEach(id -> changed.add(id.jobId()));
    progress.clear();
    lastRefresh = System.nanoTime() - refreshNanos;
    refresh();
  }

  private JobView withProgress(JobView v) {
    Map<String, Float> now = new HashMap<>();
    progress.forEach((id, f) -> {
      if (id.jobId().equals(v.id())) {
        now.put(id.toString(), f);
      }
    });
    List<TaskView> maps = tasks(v.maps(), now);
    List<TaskView> reduces = tasks(v.reduces(), now);
    boolean succeeded = v.state() == JobState.SUCCEEDED;
    return new JobView(v.id(), v.name(), v.user(), v.state(), v.submitTime(), v.startTime(),
        v.endTime(), succeeded ? 1 : average(maps), succeeded ? 1 : average(reduces),
        v.counters(), v.failure(), v.outputPath(), maps, reduces, v.spec());
  }

  /** As {@link JobViews}: a task's progress is its best running attempt's, 1 once done. */
  private static List<TaskView> tasks(List<TaskView> tasks, Map<String, Float> now) {
    List<TaskView> out = new ArrayList<>(tasks.size());
    for (TaskView t : tasks) {
      if (t.state() == TaskState.DONE || t.attempts().stream()
          .noneMatch(a -> a.state() == AttemptState.RUNNING)) {
        out.add(t);
        continue;
      }
      List<AttemptView> attempts = new ArrayList<>(t.attempts().size());
      double best = 0;
      for (AttemptView a : t.attempts()) {
        if (a.state() == AttemptState.RUNNING) {
          double p = now.getOrDefault(a.id(), 0f);
          best = Math.max(best, p);
          a = new AttemptView(a.id(), a.attempt(), a.workerId(), a.startTime(), a.endTime(),
              a.state(), p, a.records(), a.bytes(), a.outputRecords(), a.outputBytes(), a.error(),
              a.stackTrace(), a.counters());
        }
        attempts.add(a);
      }
      out.add(new TaskView(t.name(), t.kind(), t.index(), t.state(), best, t.input(),
          t.committedAttempt(), t.mapOutputFile(), attempts));
    }
    return out;
  }

  private static double average(List<TaskView> tasks) {
    if (tasks.isEmpty()) {
      return 1;
    }
    return tasks.stream().mapToDouble(TaskView::progress).sum() / tasks.size();
  }
}
