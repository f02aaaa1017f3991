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
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All job bookkeeping of the master: jobs, tasks, attempts, map output locations, commit grants
 * and outcomes. It changes only through {@link #apply}, which is deterministic (no clock, no I/O,
 * no randomness), so replaying the same events always rebuilds the same book. Events that do not
 * fit the book (an unknown attempt, an attempt that already ended) are refused with an
 * {@link IllegalStateException}: the scheduler checks before it makes an event.
 *
 * <p>Not thread-safe: the master actor owns it.
 */
public final class JobBook {
  private final Map<String, BookJob> jobs = new LinkedHashMap<>();

  public BookJob job(String id) {
    return jobs.get(id);
  }

  /** Jobs in the order they were accepted. */
  public Collection<BookJob> jobs() {
    return Collections.unmodifiableCollection(jobs.values());
  }

  public void apply(JobEvent event) {
    if (event instanceof JobAccepted e) {
      if (jobs.containsKey(e.jobId())) {
        throw new IllegalStateException("job " + e.jobId() + " was already accepted");
      }
      jobs.put(e.jobId(), new BookJob(e.jobId(), e.spec(), e.splits(), e.time()));
    } else if (event instanceof AttemptStarted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (task.isDone() || e.attempt().attempt() != task.nextAttemptNumber()) {
        throw new IllegalStateException("cannot start " + e.attempt() + ": task "
            + (task.isDone() ? "is done" : "expects attempt " + task.nextAttemptNumber()));
      }
      task.add(new BookAttempt(e.attempt(), e.workerId(), e.time()));
      job.started(e.time());
    } else if (event instanceof MapDone e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (task.kind() != TaskKind.MAP || task.isDone()) {
        throw new IllegalStateException("MapDone for " + e.attempt() + " of a done or reduce task");
      }
      BookAttempt a = running(job, e.attempt());
      a.end(AttemptState.SUCCEEDED, e.time(), null, null);
      a.counters(e.counters());
      task.commit(e.attempt(), e.output(), e.counters());
    } else if (event instanceof AttemptFailed e) {
      BookJob job = live(e.jobId());
      running(job, e.attempt()).end(AttemptState.FAILED, e.time(), e.message(), e.stackTrace());
      BookTask task = task(job, e.attempt());
      task.countFailure();
      task.releaseGrantOf(e.attempt());
    } else if (event instanceof AttemptKilled e) {
      BookJob job = live(e.jobId());
      running(job, e.attempt()).end(AttemptState.KILLED, e.time(), e.reason(), null);
      task(job, e.attempt()).releaseGrantOf(e.attempt());
    } else if (event instanceof MapOutputLost e) {
      BookJob job = live(e.jobId());
      BookTask reduce = task(job, e.reduceAttempt());
      running(job, e.reduceAttempt()).end(AttemptState.FAILED, e.time(),
          "input lost: " + e.reason(), null);
      reduce.countInputLoss();
      reduce.releaseGrantOf(e.reduceAttempt());
      BookTask map = job.task(TaskKind.MAP, e.mapIndex());
      if (map == null) {
        throw new IllegalStateException("job " + job.id() + " has no map " + e.mapIndex());
      }
      if (map.isDone() && e.lostAttempt().equals(map.committedAttempt())) {
        BookAttempt lost = map.attempt(e.lostAttempt().attempt());
        lost.markOutputLost(e.reason());
        map.uncommit();
      }
    } else if (event instanceof CommitGranted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      running(job, e.attempt());
      if (task.isDone() || task.grantedAttempt() != null) {
        throw new IllegalStateException("cannot grant the commit of " + task.name() + " to "
            + e.attempt() + ": " + (task.isDone() ? "task is done" : "held by "
            + task.grantedAttempt()));
      }
      task.grant(e.attempt());
    } else if (event instanceof TaskCommitted e) {
      BookJob job = live(e.jobId());
      BookTask task = task(job, e.attempt());
      if (!e.attempt().equals(task.grantedAttempt())) {
        throw new IllegalStateException(e.attempt() + " committed without holding the grant");
      }
      BookAttempt a = running(job, e.attempt());
      a.end(AttemptState.SUCCEEDED, e.time(), null, null);
      a.counters(e.counters());
      task.commit(e.attempt(), null, e.counters());
    } else if (event instanceof JobCommitting e) {
      BookJob job = live(e.jobId());
      if (!job.allTasksDone()) {
        throw new IllegalStateException("job " + job.id() + " cannot commit: tasks remain");
      }
      job.state(JobState.COMMITTING);
    } else if (event instanceof JobSucceeded e) {
      BookJob job = live(e.jobId());
      if (job.state() != JobState.COMMITTING) {
        throw new IllegalStateException("job " + job.id() + " succeeded without committing");
      }
      job.end(JobState.SUCCEEDED, e.time(), null);
    } else if (event instanceof JobFailed e) {
      end(live(e.jobId()), JobState.FAILED, e.time(), e.reason());
    } else if (event instanceof JobKilled e) {
      end(live(e.jobId()), JobState.KILLED, e.time(), e.reason());
    } else {
      throw new IllegalStateException("unknown event " + event);
    }
  }

  private static void end(BookJob job, JobState state, long time, String reason) {
    String why = state == JobState.KILLED ? "job killed" : "job failed";
    for (BookAttempt a : job.runningAttempts()) {
      a.end(AttemptState.KILLED, time, why, null);
    }
    job.end(state, time, reason);
  }

  private BookJob live(String jobId) {
    BookJob job = jobs.get(jobId);
    if (job == null) {
      throw new IllegalStateException("unknown job " + jobId);
    }
    if (job.state().isFinal()) {
      throw new IllegalStateException("job " + jobId + " already ended " + job.state());
    }
    return job;
  }

  private static BookTask task(BookJob job, TaskAttemptId attempt) {
    BookTask t = job.task(attempt);
    if (t == null) {
      throw new IllegalStateException("job " + job.id() + " has no task for " + attempt);
    }
    return t;
  }

  private static BookAttempt running(BookJob job, TaskAttemptId attempt) {
    BookAttempt a = job.attempt(attempt);
    if (a == null || !a.isRunning()) {
      throw new IllegalStateException("attempt " + attempt + " is not running");
    }
    return a;
  }
}
