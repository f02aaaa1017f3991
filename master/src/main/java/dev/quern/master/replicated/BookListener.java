package dev.quern.master.replicated;

import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.JobBook;
import java.util.List;
import java.util.Set;

/**
 * Hears what the replicated {@link JobBookMachine} applied, on the thread that applies entries:
 * it may read the book there and must return quickly (the Raft node waits). Every master has
 * one, so every master can show the jobs, not only the leader.
 */
public interface BookListener {
  BookListener NONE = new BookListener() {
    @Override
    public void applied(JobBook book, Set<String> jobIds) {}

    @Override
    public void restored(JobBook book) {}
  };

  /** An entry changed these jobs (a retired one is no longer in {@code book}: see below). */
  void applied(JobBook book, Set<String> jobIds);

  /**
   * An entry retired these ended jobs ({@code JobRetired}): they are gone from the book; each
   * {@link BookJob} is as the book held it just before (its final state), and nothing changes it
   * any more. Called after {@link #applied} for the same entry.
   */
  default void retired(List<BookJob> jobs) {}

  /** The whole book was replaced by a snapshot. */
  void restored(JobBook book);
}
