package dev.quern.master.engine;

import dev.quern.api.JobState;
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
import dev.quern.master.engine.Outcome.Applied;
import dev.quern.master.engine.Outcome.Rejected;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All job bookkeeping of the master: jobs, tasks, attempts, map output locations, commit grants
 * and outcomes. It changes only through {@link #apply}, which is deterministic (no clock, no I/O,
 * no randomness), so replaying the same events always rebuilds the same book, and which never
 * throws: an event that does not fit the book (an unknown attempt, an attempt that already ended,
 * a second live job for one output directory) is {@link Rejected} and changes nothing. In cluster
 * mode the book is the Raft group's state machine, where a throwing apply would stop every master
 * at the same entry; the scheduler still checks before it makes an event, so a rejection is rare
 * (two leaders' proposals racing, or a bug).
 *
 * <p>Job ids come from the book: the n-th accepted job is {@code job-000n}.
 *
 * <p>Not thread-safe: one thread (the master actor, or the Raft driver) owns it.
 */
public final class JobBook {
  private final Map<String, BookJob> jobs = new LinkedHashMap<>();
  /** Output directory ({@link #outputKey}) to the job that holds it, while that job is live. */
  private final Map<String, String> outputs = new HashMap<>();
  private int accepted;

  public BookJob job(String id) {
    return jobs.get(id);
  }

  /** Jobs in the order they were accepted. */
  public Collection<BookJob> jobs() {
    return Collections.unmodifiableCollection(jobs.values());
  }

  /** How many jobs the book has accepted; the next gets {@link #jobId}{@code (accepted() + 1)}. */
  public int accepted() {
    return accepted;
  }

  /** The id of the {@code n}-th accepted job, e.g. {@code job-0007}. */
  public static String jobId(int n) {
    return String.format("job-%04d", n);
  }

  /** The live job whose output directory is {@code outputPath}, or null. */
  public String outputHolder(String outputPath) {
    return outputs.get(outputKey(outputPath));
  }

  /** Applies one event; the book changes only when the outcome is {@link Applied}. */
  public Outcome apply(JobEvent event) {
    try {
      return new Applied(applyOrRefuse(event));
    } catch (Refusal r) {
      return new Rejected(r.getMessage());
    } catch (RuntimeException e) {
      // A bug, but the same on every replica: better a rejection than a master that cannot start.
      return new Rejected("cannot apply " + (event == null ? "null"
          : event.getClass().getSimpleName()) + ": " + e);
    }
  }

  /** Checks every precondition before it changes anything; returns the job's id. */
  private String applyOrRefuse(JobEvent event) {
    if (event instanceof JobAccepted e) {
      String key = outputKey(e.spec().outputPath());
      String holder = outputs.get(key);
      if (holder != null) {
        throw new Refusal("output directory " + e.spec().outputPath() + " is held by " + holder
            + ", which has not ended");
      }
      if (e.stored() != null && !e.splits().isEmpty()) {
        throw new Refusal("a job names a stored split list and carries splits too");
      }
      String id = jobId(accepted + 1);
      BookJob job = new BookJob(id, e.spec(), e.splits(), e.stored(), e.time());
      accepted++;
      jobs.put(id, job);
      outputs.put(key, id);
      return id;
    } else if (event instanceof AttemptStarted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (task.isDone() || e.attempt().attempt() != task.nextAttemptNumber()) {
        throw new Refusal("cannot start " + e.attempt() + ": task "
            + (task.isDone() ? "is done" : "expects attempt " + task.nextAttemptNumber()));
      }
      task.add(new BookAttempt(e.attempt(), e.workerId(), e.time()));
      job.started(e.time());
      return job.id();
    } else if (event instanceof MapDone e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (task.kind() != TaskKind.MAP || task.isDone()) {
        throw new Refusal("MapDone for " + e.attempt() + " of a done or reduce task");
      }
      BookAttempt a = running(job, e.attempt());
      a.end(AttemptState.SUCCEEDED, e.time(), null, null);
      a.counters(e.counters());
      task.commit(e.attempt(), e.output(), e.counters());
      return job.id();
    } else if (event instanceof AttemptFailed e) {
      BookJob job = live(e.jobId());
      BookAttempt a = running(job, e.attempt());
      BookTask task = task(job, e.attempt());
      a.end(AttemptState.FAILED, e.time(), e.message(), e.stackTrace());
      task.countFailure();
      task.releaseGrantOf(e.attempt());
      return job.id();
    } else if (event instanceof AttemptKilled e) {
      BookJob job = live(e.jobId());
      BookAttempt a = running(job, e.attempt());
      a.end(AttemptState.KILLED, e.time(), e.reason(), null);
      task(job, e.attempt()).releaseGrantOf(e.attempt());
      return job.id();
    } else if (event instanceof MapOutputLost e) {
      BookJob job = live(e.jobId());
      BookTask reduce = task(job, e.reduceAttempt());
      BookAttempt reduceAttempt = running(job, e.reduceAttempt());
      BookTask map = job.task(TaskKind.MAP, e.mapIndex());
      if (map == null) {
        throw new Refusal("job " + job.id() + " has no map " + e.mapIndex());
      }
      reduceAttempt.end(AttemptState.FAILED, e.time(), "input lost: " + e.reason(), null);
      reduce.countInputLoss();
      reduce.releaseGrantOf(e.reduceAttempt());
      if (map.isDone() && e.lostAttempt().equals(map.committedAttempt())) {
        BookAttempt lost = map.attempt(e.lostAttempt().attempt());
        lost.markOutputLost(e.reason());
        map.uncommit();
      }
      return job.id();
    } else if (event instanceof JobEvent.WorkerOutputsLost e) {
      BookJob job = live(e.jobId());
      if (job.reduces().isEmpty()) {
        throw new Refusal("job " + job.id() + " has no reduces: its map output is its output");
      }
      for (BookTask map : job.maps()) {
        TaskAttemptId committed = map.committedAttempt();
        if (map.isDone() && committed != null
            && e.workerId().equals(map.attempt(committed.attempt()).workerId())) {
          map.attempt(committed.attempt()).markOutputLost(e.reason());
          map.uncommit();
        }
      }
      return job.id();
    } else if (event instanceof CommitGranted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      running(job, e.attempt());
      if (task.isDone() || task.grantedAttempt() != null) {
        throw new Refusal("cannot grant the commit of " + task.name() + " to "
            + e.attempt() + ": " + (task.isDone() ? "task is done" : "held by "
            + task.grantedAttempt()));
      }
      task.grant(e.attempt());
      return job.id();
    } else if (event instanceof TaskCommitted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (!e.attempt().equals(task.grantedAttempt())) {
        throw new Refusal(e.attempt() + " committed without holding the grant");
      }
      BookAttempt a = running(job, e.attempt());
      a.end(AttemptState.SUCCEEDED, e.time(), null, null);
      a.counters(e.counters());
      task.commit(e.attempt(), null, e.counters());
      return job.id();
    } else if (event instanceof JobCommitting e) {
      BookJob job = live(e.jobId());
      if (!job.allTasksDone()) {
        throw new Refusal("job " + job.id() + " cannot commit: tasks remain");
      }
      job.state(JobState.COMMITTING);
      return job.id();
    } else if (event instanceof JobSucceeded e) {
      BookJob job = live(e.jobId());
      if (job.state() != JobState.COMMITTING) {
        throw new Refusal("job " + job.id() + " succeeded without committing");
      }
      job.end(JobState.SUCCEEDED, e.time(), null);
      released(job);
      return job.id();
    } else if (event instanceof JobFailed e) {
      BookJob job = live(e.jobId());
      end(job, JobState.FAILED, e.time(), e.reason());
      return job.id();
    } else if (event instanceof JobKilled e) {
      BookJob job = live(e.jobId());
      end(job, JobState.KILLED, e.time(), e.reason());
      return job.id();
    } else if (event instanceof JobEvent.JobRetired e) {
      BookJob job = jobs.get(e.jobId());
      if (job == null) {
        throw new Refusal("unknown job " + e.jobId());
      }
      if (!job.state().isFinal()) {
        throw new Refusal("job " + e.jobId() + " cannot be retired: it is " + job.state());
      }
      // Its output directory was released when it ended; accepted() keeps counting it.
      jobs.remove(job.id());
      return job.id();
    }
    throw new Refusal("unknown event " + event);
  }

  private void end(BookJob job, JobState state, long time, String reason) {
    String why = state == JobState.KILLED ? "job killed" : "job failed";
    for (BookAttempt a : job.runningAttempts()) {
      a.end(AttemptState.KILLED, time, why, null);
    }
    job.end(state, time, reason);
    released(job);
  }

  private void released(BookJob job) {
    outputs.remove(outputKey(job.spec().outputPath()), job.id());
  }

  // ---- restoring a snapshot (BookSnapshots) ---------------------------------------------------

  /** Adds a job as a snapshot recorded it; jobs come in the order they were accepted. */
  void restoreJob(BookJob job) {
    jobs.put(job.id(), job);
    if (!job.state().isFinal()) {
      outputs.put(outputKey(job.spec().outputPath()), job.id());
    }
  }

  void restoreAccepted(int n) {
    accepted = n;
  }

  /**
   * The key under which an output directory is held: the path with {@code .} and {@code ..}
   * segments and repeated or trailing slashes resolved as text (never through the file system,
   * which would differ between masters).
   */
  static String outputKey(String path) {
    boolean absolute = path.startsWith("/");
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String p : path.split("/+")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
        parts.removeLast();
      } else if (!(p.equals("..") && absolute)) {
        parts.addLast(p);
      }
    }
    return (absolute ? "/" : "") + String.join("/", parts);
  }

  private BookJob live(String jobId) {
    BookJob job = jobs.get(jobId);
    if (job == null) {
      throw new Refusal("unknown job " + jobId);
    }
    if (job.state().isFinal()) {
      throw new Refusal("job " + jobId + " already ended " + job.state());
    }
    return job;
  }

  private static BookTask task(BookJob job, TaskAttemptId attempt) {
    BookTask t = job.task(attempt);
    if (t == null) {
      throw new Refusal("job " + job.id() + " has no task for " + attempt);
    }
    return t;
  }

  private static BookAttempt running(BookJob job, TaskAttemptId attempt) {
    BookAttempt a = job.attempt(attempt);
    if (a == null || !a.isRunning()) {
      throw new Refusal("attempt " + attempt + " is not running");
    }
    return a;
  }

  /** A failed precondition; no stack trace, as it is an answer, not an error. */
  private static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }
}
