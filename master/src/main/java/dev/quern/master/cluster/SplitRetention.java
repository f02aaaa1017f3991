package dev.quern.master.cluster;

import dev.quern.master.cluster.jars.SplitLists;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.JobBook;
import dev.quern.master.replicated.BookListener;
import java.util.List;
import java.util.Set;

/**
 * Retention of split lists, on every master: when the book retires a job ({@code JobRetired})
 * whose split list is stored, and no job left in the book names the same list (lists are
 * content-addressed, so two jobs over the same input may share one), this master deletes its copy.
 * Every other notice goes on to the master's own listener. Deleting happens on a thread of the
 * split lists', never on the thread that applies entries; the book itself does no I/O.
 *
 * <p>A list uploaded for a job that never got accepted is not deleted here (no entry names it).
 */
final class SplitRetention implements BookListener {
  private final BookListener next;
  private volatile SplitLists splits;
  /** The book as of the last entry applied (the listener's calls come on that one thread). */
  private JobBook book;

  SplitRetention(BookListener next) {
    this.next = next;
  }

  /** Where to delete from; until attached (the HTTP endpoint starts later) nothing is deleted. */
  void attach(SplitLists splits) {
    this.splits = splits;
  }

  @Override
  public void applied(JobBook book, Set<String> jobIds) {
    this.book = book;
    next.applied(book, jobIds);
  }

  @Override
  public void retired(List<BookJob> jobs) {
    next.retired(jobs);
    SplitLists s = splits;
    for (BookJob job : jobs) {
      if (s != null && job.stored() != null && !named(job.stored().sha256())) {
        s.drop(job.stored().sha256());
      }
    }
  }

  private boolean named(String sha256) {
    if (book == null) {
      return true; // not known: keep it
    }
    for (BookJob j : book.jobs()) {
      if (j.stored() != null && j.stored().sha256().equals(sha256)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void restored(JobBook book) {
    this.book = book;
    next.restored(book);
  }
}
