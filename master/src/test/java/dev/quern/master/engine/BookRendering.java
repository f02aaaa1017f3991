package dev.quern.master.engine;

import java.util.Map;

/**
 * A text rendering of everything a {@link JobBook} holds, built from its public reads (the
 * {@link JobViews} the UI shows plus what they leave out: grants, counts, map output locations,
 * splits), independently of {@link BookCodec}: two books are the same book when their renderings
 * are equal.
 */
final class BookRendering {
  private BookRendering() {}

  static String render(JobBook book) {
    StringBuilder b = new StringBuilder("accepted=" + book.accepted() + "\n");
    for (BookJob job : book.jobs()) {
      b.append(JobViews.of(job, Map.of())).append('\n');
      b.append("  splits=").append(job.splits()).append(" maxAttempts=").append(job.maxAttempts())
          .append(" speculative=").append(job.speculative()).append(" timeout=")
          .append(job.taskTimeout()).append(" holder=")
          .append(book.outputHolder(job.spec().outputPath())).append('\n');
      for (BookTask t : job.maps()) {
        task(b, t);
      }
      for (BookTask t : job.reduces()) {
        task(b, t);
      }
    }
    return b.toString();
  }

  private static void task(StringBuilder b, BookTask t) {
    b.append("  ").append(t.name()).append(" done=").append(t.isDone())
        .append(" output=").append(t.mapOutput())
        .append(" committed=").append(t.committedAttempt())
        .append(" granted=").append(t.grantedAttempt())
        .append(" counters=").append(t.committedCounters())
        .append(" failures=").append(t.failures())
        .append(" losses=").append(t.inputLosses()).append('\n');
    for (BookAttempt a : t.attempts()) {
      b.append("    ").append(a.id()).append(' ').append(a.workerId()).append(' ')
          .append(a.state()).append(' ').append(a.startTime()).append('-').append(a.endTime())
          .append(" error=").append(a.error()).append(" trace=").append(a.stackTrace())
          .append(" counters=").append(a.counters()).append('\n');
    }
  }
}
