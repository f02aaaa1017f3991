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
  /**
   * The largest submission a cluster takes: its {@code JobAccepted} is one Raft entry, which may
   * be at most {@link dev.quern.raft.RaftConfig#maxEntryBytes()} (the masters use the default,
   * 64 KiB), less room for the other events of the same batch. About 1,300 file splits; split
   * lists do not yet travel outside the log.
   */
  public static final int MAX_BYTES =
      dev.quern.raft.RaftConfig.builder(1).build().maxEntryBytes() - 8 * 1024;

  private SubmissionWire() {}

  /** Why a body of {@code bytes} for {@code splits} splits is refused, or null if it is not. */
  public static String tooLarge(String jobName, int bytes, int splits) {
    if (bytes <= MAX_BYTES) {
      return null;
    }
    return "job " + jobName + " was refused: its " + splits + " input splits make a submission "
        + "of " + bytes + " bytes, over the " + MAX_BYTES + " a cluster's replicated log takes "
        + "in one entry; use larger splits (-Dquern.input.split-size=...) or fewer input files";
  }

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
