package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.JobEvent;
import java.util.List;

/**
 * The body of a job submission ({@code POST /api/cluster/jobs}): the checked spec and its planned
 * splits, written as the book's own {@link JobEvent.JobAccepted} record (versioned by {@link
 * BookCodec}), so the leader reads it without the job's classes and proposes the same record.
 */
public final class SubmissionWire {
  private SubmissionWire() {}

  /** What a client submits. */
  public record Submission(JobSpec spec, List<BookSplit> splits) {}

  /** The body for a job whose splits the client planned ({@link BookSplit#ofAll}). */
  public static byte[] encode(JobSpec spec, List<BookSplit> splits) {
    return BookCodec.encode(new JobEvent.JobAccepted(spec, splits, 0));
  }

  /** Reads a body; {@link IllegalArgumentException} names what is wrong with it. */
  public static Submission decode(byte[] body) {
    JobEvent event;
    try {
      event = BookCodec.decodeEvent(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage() == null ? e.toString() : e.getMessage(),
          e);
    }
    if (!(event instanceof JobEvent.JobAccepted a)) {
      throw new IllegalArgumentException("expected a job, got " + event.getClass().getSimpleName());
    }
    return new Submission(a.spec(), a.splits());
  }
}
