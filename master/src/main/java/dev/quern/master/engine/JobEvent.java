package dev.quern.master.engine;

import dev.quern.api.Counters;
import dev.quern.api.JobSpec;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import java.util.List;

/**
 * Every change of the {@link JobBook}. The book is a pure function of the sequence of events it
 * applied: times travel inside the events and every decision (which attempt, which worker, fail or
 * retry) is taken by the scheduler before the event is made. Cluster mode replicates exactly these
 * records through the Raft log (encoded by {@link BookCodec}), so a new leader rebuilds the book
 * by replaying them. Every event but JobAccepted names its job ({@code jobId()}).
 */
public sealed interface JobEvent {

  /**
   * A checked submission: the spec (configuration merged) and its planned input splits. The book
   * gives the job its id ({@link Outcome.Applied#jobId()}), so that ids come from the order of
   * the log rather than from whichever process proposed the job.
   *
   * <p>Either the splits travel inside the event ({@code stored} null: local mode, and cluster
   * entries written before split lists were stored), or {@code stored} names the split list in
   * the masters' split store and {@code splits} is empty: a cluster job's entry then stays the
   * size of its spec however many splits it has.
   */
  record JobAccepted(JobSpec spec, List<BookSplit> splits, StoredSplits stored, long time)
      implements JobEvent {
    public JobAccepted {
      splits = List.copyOf(splits);
    }

    /** A job whose splits travel inside the event. */
    public JobAccepted(JobSpec spec, List<BookSplit> splits, long time) {
      this(spec, splits, null, time);
    }

    /** A job whose split list is in the split store. */
    public JobAccepted(JobSpec spec, StoredSplits stored, long time) {
      this(spec, List.of(), stored, time);
    }

    /** How many map tasks the job has. */
    public int splitCount() {
      return stored == null ? splits.size() : stored.count();
    }
  }

  /** The scheduler gave the attempt to a worker slot. */
  record AttemptStarted(TaskAttemptId attempt, String workerId, long time) implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /** A map attempt of a job with reduce tasks finished: this is its commit. */
  record MapDone(TaskAttemptId attempt, MapOutputRef output, Counters counters, long time)
      implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /** User code or the runtime failed; counts towards the task's {@code max-attempts}. */
  record AttemptFailed(TaskAttemptId attempt, String message, String stackTrace, long time)
      implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /**
   * The attempt ended without a result and through no fault of its own (worker lost, killed,
   * commit denied, superseded by another attempt); does not count as a failure.
   */
  record AttemptKilled(TaskAttemptId attempt, String reason, long time) implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /**
   * A reduce attempt could not read the output of map task {@code mapIndex} written by {@code
   * lostAttempt}: the reduce attempt ends (not counted as a failure) and, if that output is still
   * the map task's committed one, the map task runs again.
   */
  record MapOutputLost(TaskAttemptId reduceAttempt, int mapIndex, TaskAttemptId lostAttempt,
      String reason, long time) implements JobEvent {
    public String jobId() {
      return reduceAttempt.jobId();
    }
  }

  /**
   * Worker {@code workerId} is gone, and with it the map outputs it held for the job: every done
   * map whose committed attempt ran there is done no more (its attempt's output is marked lost)
   * and runs again. Unlike {@link MapOutputLost}, no reduce attempt is charged for it: the
   * scheduler learnt of the loss from the worker's death, not from a failed fetch.
   */
  record WorkerOutputsLost(String jobId, String workerId, String reason, long time)
      implements JobEvent {}

  /** The attempt holds its task's commit grant (recorded before the worker hears yes). */
  record CommitGranted(TaskAttemptId attempt, long time) implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /**
   * The grant holder committed its output ({@code _temporary/committed/<attempt>}): the task's
   * attempt of record, the one the job commit promotes.
   */
  record TaskCommitted(TaskAttemptId attempt, Counters counters, long time) implements JobEvent {
    public String jobId() {
      return attempt.jobId();
    }
  }

  /** Every task committed; the job commit is moving files into the output directory. */
  record JobCommitting(String jobId, long time) implements JobEvent {}

  /** The output is in place and {@code _SUCCESS} written. */
  record JobSucceeded(String jobId, long time) implements JobEvent {}

  /** The job failed; running attempts end as killed. */
  record JobFailed(String jobId, String reason, long time) implements JobEvent {}

  /**
   * The user killed the job; running attempts end as killed.
   *
   * @param reason who killed it and when (the job's failure text); null when not said
   */
  record JobKilled(String jobId, String reason, long time) implements JobEvent {
    public JobKilled(String jobId, long time) {
      this(jobId, null, time);
    }
  }

  /**
   * Retention: the ended job leaves the book (with its tasks and attempts), so that neither
   * memory nor snapshots grow with every job ever run; its record lives on in each master's
   * history store. Rejected for a job that is unknown or has not ended. Job ids are never reused:
   * the book still counts the job among those it accepted.
   */
  record JobRetired(String jobId, long time) implements JobEvent {}
}
