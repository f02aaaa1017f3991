package dev.quern.master.cluster;

import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.http.HistoryRecorder;
import dev.quern.master.http.HistoryStore;
import dev.quern.master.http.LocalClusterSource;
import dev.quern.master.replicated.BookListener;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes a view of every job an applied entry changed, so that each master (not only the
 * leader) shows the jobs from its own copy of the replicated book. Progress of running attempts
 * is the leader's soft state, not in the log: the views carry what {@link ProgressViews} knows
 * (on a follower, nothing: 0).
 *
 * <p>History: every master saves each job that ends to its own {@link HistoryStore} (a {@link
 * HistoryRecorder} on its views, writing on a thread of its own), and once more, if it has no
 * record yet, when the job is retired from the book; only then does the job's view go, so the
 * API finds a job live or in history at every moment.
 */
final class BookViews implements BookListener, AutoCloseable {
  private final ClusterMonitor monitor;
  private final ProgressViews progress;
  private final HistoryStore history;
  private HistoryRecorder recorder;
  private volatile int bookJobs;

  /** @param progress publishes the views, with the leader's attempt progress */
  BookViews(ProgressViews progress, HistoryStore history) {
    this.progress = progress;
    this.monitor = progress.monitor();
    this.history = history;
  }

  ClusterMonitor monitor() {
    return monitor;
  }

  ProgressViews progress() {
    return progress;
  }

  HistoryStore history() {
    return history;
  }

  /** Starts saving ended jobs, read through {@code cluster} (whose jobs are this monitor's). */
  void record(LiveCluster cluster) {
    recorder = new HistoryRecorder(new LocalClusterSource(cluster), history);
  }

  /** Jobs in this master's applied copy of the book (retired ones are not): {@code quern_book_jobs}. */
  int bookJobs() {
    return bookJobs;
  }

  @Override
  public void applied(JobBook book, Set<String> jobIds) {
    bookJobs = book.jobs().size();
    for (String id : jobIds) {
      BookJob job = book.job(id);
      if (job != null) {
        progress.publish(job);
      }
    }
  }

  @Override
  public void retired(List<BookJob> jobs) {
    for (BookJob job : jobs) {
      Optional<JobView> shown = monitor.job(job.id());
      if (shown.isEmpty() || !shown.get().state().isFinal()) {
        // Ended and retired in one entry (or this master missed the end): show the end first,
        // which also saves it.
        progress.publish(job);
      }
      forget(job.id());
    }
  }

  @Override
  public void restored(JobBook book) {
    bookJobs = book.jobs().size();
    Set<String> kept = new HashSet<>();
    for (BookJob job : book.jobs()) {
      kept.add(job.id());
      progress.publish(job);
    }
    // Jobs retired while this master lagged behind the snapshot: their last view is all it has.
    for (JobView v : monitor.jobs()) {
      if (!kept.contains(v.id())) {
        forget(v.id());
      }
    }
  }

  private void forget(String jobId) {
    if (recorder == null) {
      monitor.remove(jobId);
    } else {
      recorder.retire(jobId, () -> monitor.remove(jobId));
    }
  }

  /** Finishes the history writes already queued. */
  @Override
  public void close() {
    if (recorder != null) {
      recorder.close();
    }
  }
}
