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
 * leader) shows the jobs from its own copy of the replicated book. Progress of running attempts
 * is the leader's soft state, not in the log: the views carry what {@link ProgressViews} knows
 * (on a follower, nothing: 0).
 */
final class BookViews implements BookListener {
  private final ProgressViews views;

  BookViews(ProgressViews views) {
    this.views = views;
  }

  @Override
  public void applied(JobBook book, Set<String> jobIds) {
    for (String id : jobIds) {
      BookJob job = book.job(id);
      if (job != null) {
        views.publish(job);
      }
    }
  }

  @Override
  public void restored(JobBook book) {
    for (BookJob job : book.jobs()) {
      views.publish(job);
    }
  }
}
