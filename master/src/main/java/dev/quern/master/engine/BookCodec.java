package dev.quern.master.engine;

import dev.quern.master.engine.BookWire.In;
import dev.quern.master.engine.BookWire.Out;
import dev.quern.master.engine.JobEvent.AttemptFailed;
import dev.quern.master.engine.JobEvent.AttemptKilled;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.CommitGranted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobCommitting;
import dev.quern.master.engine.JobEvent.JobFailed;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.master.engine.JobEvent.JobSucceeded;
import dev.quern.master.engine.JobEvent.MapDone;
import dev.quern.master.engine.JobEvent.MapOutputLost;
import dev.quern.master.engine.JobEvent.TaskCommitted;
import dev.quern.worker.task.TaskAttemptId;

/**
 * The binary form of {@link JobEvent}s (Raft log entries), of {@link Outcome}s (what applying an
 * entry returns) and of whole {@link JobBook}s (snapshots).
 *
 * <p>Each encoding starts with a format version byte (a snapshot with a magic number before it),
 * then an explicit type code; values follow {@link BookWire}. No Java serialization and no class
 * names are read: a master decodes every entry without the jobs' classes. A split of a job's own
 * class is carried as opaque bytes ({@link BookSplit.Opaque}). A decoder refuses a version it
 * does not know; a new field or event type means a new version, and the decoder keeps reading the
 * old ones.
 *
 * <p>Decoding malformed bytes throws {@link IllegalArgumentException}.
 */
public final class BookCodec {
  /** The version every encoding written now starts with. */
  public static final int VERSION = 1;
  private static final int SNAPSHOT_MAGIC = 0x514a424b; // "QJBK"

  private static final int JOB_ACCEPTED = 1;
  private static final int ATTEMPT_STARTED = 2;
  private static final int MAP_DONE = 3;
  private static final int ATTEMPT_FAILED = 4;
  private static final int ATTEMPT_KILLED = 5;
  private static final int MAP_OUTPUT_LOST = 6;
  private static final int COMMIT_GRANTED = 7;
  private static final int TASK_COMMITTED = 8;
  private static final int JOB_COMMITTING = 9;
  private static final int JOB_SUCCEEDED = 10;
  private static final int JOB_FAILED = 11;
  private static final int JOB_KILLED = 12;
  /** Format version 2 added it; every other event is still written as version 1. */
  private static final int WORKER_OUTPUTS_LOST = 13;
  private static final int VERSION_2 = 2;
  /** Format version 3 added it (retention); the other events keep their versions. */
  private static final int JOB_RETIRED = 14;
  private static final int VERSION_3 = 3;
  /**
   * Format version 4: a {@code JobAccepted} whose split list is in the split store ({@link
   * StoredSplits}: its hash and count instead of the splits). One with its splits is still
   * written as version 1.
   */
  private static final int VERSION_4 = 4;

  /** Snapshot format 2 records each job's {@link StoredSplits}; format 1 (without) is read. */
  public static final int SNAPSHOT_VERSION = 2;

  private static final int APPLIED = 1;
  private static final int REJECTED = 2;

  private BookCodec() {}

  // ---- events ----------------------------------------------------------------------------------

  public static byte[] encode(JobEvent event) {
    if (event instanceof JobEvent.WorkerOutputsLost e) {
      return new Out().u8(VERSION_2).u8(WORKER_OUTPUTS_LOST).str(e.jobId()).str(e.workerId())
          .str(e.reason()).i64(e.time()).toBytes();
    }
    if (event instanceof JobEvent.JobRetired e) {
      return new Out().u8(VERSION_3).u8(JOB_RETIRED).str(e.jobId()).i64(e.time()).toBytes();
    }
    if (event instanceof JobAccepted e && e.stored() != null) {
      if (!e.splits().isEmpty()) {
        throw new IllegalArgumentException("a job names a stored split list and carries splits");
      }
      return new Out().u8(VERSION_4).u8(JOB_ACCEPTED).spec(e.spec()).str(e.stored().sha256())
          .i32(e.stored().count()).i64(e.time()).toBytes();
    }
    Out o = new Out().u8(VERSION);
    if (event instanceof JobAccepted e) {
      o.u8(JOB_ACCEPTED).spec(e.spec()).splits(e.splits()).i64(e.time());
    } else if (event instanceof AttemptStarted e) {
      o.u8(ATTEMPT_STARTED).attempt(e.attempt()).str(e.workerId()).i64(e.time());
    } else if (event instanceof MapDone e) {
      o.u8(MAP_DONE).attempt(e.attempt()).mapOutput(e.output()).counters(e.counters())
          .i64(e.time());
    } else if (event instanceof AttemptFailed e) {
      o.u8(ATTEMPT_FAILED).attempt(e.attempt()).str(e.message()).str(e.stackTrace())
          .i64(e.time());
    } else if (event instanceof AttemptKilled e) {
      o.u8(ATTEMPT_KILLED).attempt(e.attempt()).str(e.reason()).i64(e.time());
    } else if (event instanceof MapOutputLost e) {
      o.u8(MAP_OUTPUT_LOST).attempt(e.reduceAttempt()).i32(e.mapIndex())
          .attempt(e.lostAttempt()).str(e.reason()).i64(e.time());
    } else if (event instanceof CommitGranted e) {
      o.u8(COMMIT_GRANTED).attempt(e.attempt()).i64(e.time());
    } else if (event instanceof TaskCommitted e) {
      o.u8(TASK_COMMITTED).attempt(e.attempt()).counters(e.counters()).i64(e.time());
    } else if (event instanceof JobCommitting e) {
      o.u8(JOB_COMMITTING).str(e.jobId()).i64(e.time());
    } else if (event instanceof JobSucceeded e) {
      o.u8(JOB_SUCCEEDED).str(e.jobId()).i64(e.time());
    } else if (event instanceof JobFailed e) {
      o.u8(JOB_FAILED).str(e.jobId()).str(e.reason()).i64(e.time());
    } else if (event instanceof JobKilled e) {
      o.u8(JOB_KILLED).str(e.jobId()).str(e.reason()).i64(e.time());
    } else {
      throw new IllegalArgumentException("not an event: " + event);
    }
    return o.toBytes();
  }

  public static JobEvent decodeEvent(byte[] bytes) {
    In in = new In(bytes);
    int v = in.u8();
    if (v == VERSION_2) {
      int type = in.u8();
      if (type != WORKER_OUTPUTS_LOST) {
        throw new IllegalArgumentException("unknown event type " + type + " of version 2");
      }
      JobEvent e = new JobEvent.WorkerOutputsLost(in.requiredStr("a job id"),
          in.requiredStr("a worker id"), in.str(), in.i64());
      in.expectEnd("the entry");
      return e;
    }
    if (v == VERSION_3) {
      int type = in.u8();
      if (type != JOB_RETIRED) {
        throw new IllegalArgumentException("unknown event type " + type + " of version 3");
      }
      JobEvent e = new JobEvent.JobRetired(in.requiredStr("a job id"), in.i64());
      in.expectEnd("the entry");
      return e;
    }
    if (v == VERSION_4) {
      int type = in.u8();
      if (type != JOB_ACCEPTED) {
        throw new IllegalArgumentException("unknown event type " + type + " of version 4");
      }
      JobEvent e = new JobAccepted(in.spec(), in.storedSplits(), in.i64());
      in.expectEnd("the entry");
      return e;
    }
    if (v != VERSION) {
      throw new IllegalArgumentException("the entry has format version " + v
          + "; this master reads versions " + VERSION + " to " + VERSION_4);
    }
    int type = in.u8();
    JobEvent e = switch (type) {
      case JOB_ACCEPTED -> new JobAccepted(in.spec(), in.splits(), in.i64());
      case ATTEMPT_STARTED -> new AttemptStarted(in.attempt(), in.str(), in.i64());
      case MAP_DONE -> new MapDone(in.attempt(), in.mapOutput(), in.counters(), in.i64());
      case ATTEMPT_FAILED -> new AttemptFailed(in.attempt(), in.str(), in.str(), in.i64());
      case ATTEMPT_KILLED -> new AttemptKilled(in.attempt(), in.str(), in.i64());
      case MAP_OUTPUT_LOST -> new MapOutputLost(in.attempt(), in.i32(), in.attempt(), in.str(),
          in.i64());
      case COMMIT_GRANTED -> new CommitGranted(in.attempt(), in.i64());
      case TASK_COMMITTED -> new TaskCommitted(in.attempt(), in.counters(), in.i64());
      case JOB_COMMITTING -> new JobCommitting(in.requiredStr("a job id"), in.i64());
      case JOB_SUCCEEDED -> new JobSucceeded(in.requiredStr("a job id"), in.i64());
      case JOB_FAILED -> new JobFailed(in.requiredStr("a job id"), in.str(), in.i64());
      case JOB_KILLED -> new JobKilled(in.requiredStr("a job id"), in.str(), in.i64());
      default -> throw new IllegalArgumentException("unknown event type " + type);
    };
    in.expectEnd("the entry");
    return e;
  }

  // ---- outcomes --------------------------------------------------------------------------------

  public static byte[] encode(Outcome outcome) {
    Out o = new Out().u8(VERSION);
    if (outcome instanceof Outcome.Applied a) {
      o.u8(APPLIED).str(a.jobId());
    } else if (outcome instanceof Outcome.Rejected r) {
      o.u8(REJECTED).str(r.reason());
    }
    return o.toBytes();
  }

  public static Outcome decodeOutcome(byte[] bytes) {
    In in = new In(bytes);
    version(in, "outcome");
    int type = in.u8();
    Outcome out = switch (type) {
      case APPLIED -> new Outcome.Applied(in.str());
      case REJECTED -> new Outcome.Rejected(in.str());
      default -> throw new IllegalArgumentException("unknown outcome type " + type);
    };
    in.expectEnd("the outcome");
    return out;
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /**
   * The whole book. Attempt ids are not written: the job, task and position give them. A job
   * whose split list is stored has only its {@link StoredSplits} here, not the splits.
   */
  public static byte[] snapshot(JobBook book) {
    Out o = new Out().i32(SNAPSHOT_MAGIC).u8(SNAPSHOT_VERSION);
    o.i32(book.accepted());
    o.i32(book.jobs().size());
    for (BookJob job : book.jobs()) {
      o.str(job.id()).spec(job.spec()).bool(job.stored() != null);
      if (job.stored() != null) {
        o.str(job.stored().sha256()).i32(job.stored().count());
      }
      o.splits(job.splits()).i64(job.submitTime());
      o.i64(job.startTime()).i64(job.endTime()).jobState(job.state()).str(job.failure());
      for (BookTask t : job.maps()) {
        task(o, t);
      }
      for (BookTask t : job.reduces()) {
        task(o, t);
      }
    }
    return o.toBytes();
  }

  private static void task(Out o, BookTask t) {
    o.bool(t.isDone()).mapOutput(t.mapOutput()).optionalAttempt(t.committedAttempt());
    o.optionalAttempt(t.grantedAttempt()).counters(t.committedCounters());
    o.i32(t.failures()).i32(t.inputLosses()).i32(t.attempts().size());
    for (BookAttempt a : t.attempts()) {
      o.str(a.workerId()).i64(a.startTime()).i64(a.endTime()).attemptState(a.state());
      o.str(a.error()).str(a.stackTrace()).counters(a.counters());
    }
  }

  public static JobBook restore(byte[] snapshot) {
    In in = new In(snapshot);
    if (in.i32() != SNAPSHOT_MAGIC) {
      throw new IllegalArgumentException("not a job book snapshot");
    }
    int v = in.u8();
    if (v != VERSION && v != SNAPSHOT_VERSION) {
      throw new IllegalArgumentException("the snapshot has format version " + v
          + "; this master reads versions 1 to " + SNAPSHOT_VERSION);
    }
    JobBook book = new JobBook();
    book.restoreAccepted(in.i32());
    int jobs = in.count();
    for (int j = 0; j < jobs; j++) {
      String id = in.requiredStr("a job id");
      var spec = in.spec();
      StoredSplits stored = v >= 2 && in.bool() ? in.storedSplits() : null;
      BookJob job = new BookJob(id, spec, in.splits(), stored, in.i64());
      long start = in.i64();
      long end = in.i64();
      job.restore(in.jobState(), start, end, in.str());
      for (BookTask t : job.maps()) {
        task(in, job, t);
      }
      for (BookTask t : job.reduces()) {
        task(in, job, t);
      }
      book.restoreJob(job);
    }
    in.expectEnd("the snapshot");
    return book;
  }

  private static void task(In in, BookJob job, BookTask t) {
    t.restore(in.bool(), in.mapOutput(), in.optionalAttempt(), in.optionalAttempt(),
        in.counters(), in.i32(), in.i32());
    int attempts = in.count();
    for (int n = 1; n <= attempts; n++) {
      TaskAttemptId id = new TaskAttemptId(job.id(), t.kind(), t.index(), n);
      t.add(new BookAttempt(id, in.str(), in.i64(), in.i64(), in.attemptState(), in.str(),
          in.str(), in.counters()));
    }
  }

  private static void version(In in, String what) {
    int v = in.u8();
    if (v != VERSION) {
      throw new IllegalArgumentException("the " + what + " has format version " + v
          + "; this master reads version " + VERSION);
    }
  }
}
