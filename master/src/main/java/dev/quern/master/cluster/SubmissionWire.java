package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.StoredSplits;
import java.util.List;

/**
 * The body of a job submission ({@code POST /api/cluster/jobs}): the checked spec and its planned
 * splits, written as the book's own {@link JobEvent.JobAccepted} record (versioned by {@link
 * BookCodec}), so the leader reads it without the job's classes and proposes the same record.
 * A client names the split list it stored first ({@code POST /api/cluster/splits}, {@link
 * StoredSplits}), so the body, like the log entry, is the size of the spec whatever the number of
 * splits; a body with the splits inside (an older client) is still read.
 */
public final class SubmissionWire {
  /**
   * The largest submission a cluster takes: its {@code JobAccepted} is one Raft entry, which may
   * be at most {@link dev.quern.raft.RaftConfig#maxEntryBytes()} (the masters use the default,
   * 64 KiB), less room for the other events of the same batch. Only a spec of very many input
   * paths or a very large configuration comes near it once the splits are stored.
   */
  public static final int MAX_BYTES =
      dev.quern.raft.RaftConfig.builder(1).build().maxEntryBytes() - 8 * 1024;

  private SubmissionWire() {}

  /**
   * Why a body of {@code bytes} is refused, or null if it is not; {@code splits}: how many splits
   * travel inside it (0 when its split list is stored).
   */
  public static String tooLarge(String jobName, int bytes, int splits) {
    if (bytes <= MAX_BYTES) {
      return null;
    }
    if (splits == 0) {
      return "job " + jobName + " was refused: its spec (input paths and configuration) makes a "
          + "submission of " + bytes + " bytes, over the " + MAX_BYTES + " a cluster's replicated "
          + "log takes in one entry; name input directories rather than each file, or pass less "
          + "configuration";
    }
    return "job " + jobName + " was refused: its " + splits + " input splits make a submission "
        + "of " + bytes + " bytes, over the " + MAX_BYTES + " a cluster's replicated log takes "
        + "in one entry; submit with a client that stores the split list first";
  }

  /**
   * What a client submits: the splits inside ({@code stored} null), or the stored list's
   * reference ({@code splits} empty).
   */
  public record Submission(JobSpec spec, List<BookSplit> splits, StoredSplits stored) {}

  /** The body for a job whose splits travel inside it ({@link BookSplit#ofAll}). */
  public static byte[] encode(JobSpec spec, List<BookSplit> splits) {
    return BookCodec.encode(new JobEvent.JobAccepted(spec, splits, 0));
  }

  /** The body for a job whose split list is stored ({@code SplitListCodec}, then uploaded). */
  public static byte[] encode(JobSpec spec, StoredSplits stored) {
    return BookCodec.encode(new JobEvent.JobAccepted(spec, stored, 0));
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
    return new Submission(a.spec(), a.splits(), a.stored());
  }
}
