package dev.quern.master.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Every event the master applied, in order: the local stand-in for the Raft log. Replaying it
 * into a new {@link JobBook} rebuilds the master's book exactly.
 */
public final class JobJournal {
  private final List<JobEvent> events = new ArrayList<>();

  synchronized void append(JobEvent e) {
    events.add(e);
  }

  /** A copy of the events from the {@code from}-th on. */
  public synchronized List<JobEvent> since(int from) {
    return List.copyOf(events.subList(from, events.size()));
  }

  /** A copy of the events so far. */
  public synchronized List<JobEvent> events() {
    return List.copyOf(events);
  }

  /** A book rebuilt from the events so far. */
  public JobBook replay() {
    JobBook book = new JobBook();
    events().forEach(book::apply);
    return book;
  }
}
