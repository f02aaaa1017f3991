package dev.quern.master.cluster;

import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobViews;
import dev.quern.master.replicated.BookListener;
import java.util.Map;
import java.util.Set;

/**
 * Publishes a view of every job an applied entry changed, so that each master (not only the
 * leader) shows the jobs from its own copy of the replicated book. Views carry no attempt
 * progress: progress is the leader's soft state and is not in the log.
 */
final class BookViews implements BookListener {
  private final ClusterMonitor monitor;

  BookViews(ClusterMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void applied(JobBook book, Set<String> jobIds) {
    for (String id : jobIds) {
      BookJob job = book.job(id);
      if (job != null) {
        monitor.publish(JobViews.of(job, Map.of()));
      }
    }
  }

  @Override
  public void restored(JobBook book) {
    for (BookJob job : book.jobs()) {
      monitor.publish(JobViews.of(job, Map.of()));
    }
  }
}
