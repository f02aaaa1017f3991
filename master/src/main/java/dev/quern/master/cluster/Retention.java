package dev.quern.master.cluster;

import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.JobBook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How long the replicated book keeps a job that has ended ({@code quern.master.retention}): at
 * most {@code maxJobs} ended jobs, none ended {@code maxAge} ago or longer. A retired job's detail
 * stays in every master's history store ({@code DATA/history}), from which the API and UI keep
 * serving it; the book, and so memory and snapshots, no longer hold it. As YARN's
 * ResourceManager keeps the last {@code max-completed-applications} (1000) applications and leaves
 * the rest to the JobHistory server.
 *
 * <p>A pure function of the book's end times (replicated) and the leader's clock.
 *
 * @param maxJobs the most ended jobs the book keeps (0: none)
 * @param maxAge how long after its end a job leaves the book (0: at once)
 */
public record Retention(int maxJobs, Duration maxAge) {
  /** The defaults of {@code master-defaults.conf}. */
  public static final Retention DEFAULTS = new Retention(1000, Duration.ofHours(24));
  /**
   * The most retirements one decision makes, so that a book with very many ended jobs (a first
   * start with retention) sheds them over several entries rather than in one huge one.
   */
  static final int MAX_PER_DECISION = 1000;

  public Retention {
    if (maxJobs < 0) {
      throw new IllegalArgumentException("retention.max-jobs must not be negative, got "
          + maxJobs);
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("retention.max-age must not be negative, got " + maxAge);
    }
  }

  /**
   * The ended jobs of {@code book} to retire at {@code now} (milliseconds): those ended
   * {@code maxAge} ago or longer, and the earliest ended beyond the newest {@code maxJobs};
   * in the order they ended (ties by id), at most {@value #MAX_PER_DECISION}.
   */
  public List<String> due(JobBook book, long now) {
    List<BookJob> ended = new ArrayList<>();
    for (BookJob job : book.jobs()) {
      if (job.state().isFinal()) {
        ended.add(job);
      }
    }
    ended.sort(Comparator.comparingLong(BookJob::endTime).thenComparing(BookJob::id));
    int over = ended.size() - maxJobs;
    long ageMs = maxAge.toMillis();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ended.size() && out.size() < MAX_PER_DECISION; i++) {
      BookJob job = ended.get(i);
      if (i < over || now - job.endTime() >= ageMs) {
        out.add(job.id());
      }
    }
    return out;
  }
}
