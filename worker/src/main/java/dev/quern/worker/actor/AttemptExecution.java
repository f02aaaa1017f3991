package dev.quern.worker.actor;

import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.TaskCommitContext;
import dev.quern.worker.actor.WorkerReport.AttemptFailed;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.actor.WorkerReport.AttemptKilled;
import dev.quern.worker.actor.WorkerReport.AttemptProgress;
import dev.quern.worker.actor.WorkerReport.AttemptSucceeded;
import dev.quern.worker.actor.WorkerReport.CanCommit;
import dev.quern.worker.actor.WorkerReport.CommitAnswer;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.OpaqueSplit;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt on its slot thread: run it through the {@link TaskRunner} in the job's class
 * loader, then (for output-writing attempts) ask the master for the commit and commit or abort
 * the attempt through the job's {@link OutputCommitter}. The final report goes back through the
 * worker actor, which frees the slot before forwarding it, so the master never sees a slot as free
 * before the worker does.
 */
final class AttemptExecution implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AttemptExecution.class);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final TaskSpec spec;
  private final String workerId;
  private final TaskRunner runner;
  private final ClassLoader jobLoader;
  private final ActorRef<WorkerReport> master;
  private final ActorRef<WorkerCommand> worker;
  private final Scheduler scheduler;
  private final Duration commitTimeout;
  private final MapOutputFeed feed;
  private final WorkerMetrics metrics;

  AttemptExecution(TaskSpec spec, String workerId, TaskRunner runner, ClassLoader jobLoader,
      ActorRef<WorkerReport> master, ActorRef<WorkerCommand> worker, Scheduler scheduler,
      Duration commitTimeout, MapOutputFeed feed, WorkerMetrics metrics) {
    this.feed = feed;
    this.metrics = metrics;
    this.spec = spec;
    this.workerId = workerId;
    this.runner = runner;
    this.jobLoader = jobLoader;
    this.master = master;
    this.worker = worker;
    this.scheduler = scheduler;
    this.commitTimeout = commitTimeout;
  }

  @Override
  public void run() {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(jobLoader);
    RunningAttempts.started(spec);
    metrics.attemptStarted(spec);
    WorkerReport report = null;
    try {
      report = execute();
    } catch (Throwable t) {
      report = failure(t);
    } finally {
      RunningAttempts.ended();
      count(report);
      thread.setContextClassLoader(previous);
    }
    worker.tell(new WorkerCommand.AttemptEnded(spec.id(), report));
  }

  private void count(WorkerReport report) {
    if (report instanceof AttemptSucceeded) {
      metrics.attemptEnded(spec, "succeeded", "ok");
    } else if (report instanceof AttemptFailed f) {
      metrics.attemptEnded(spec, "failed", f.lostOutput() != null ? "map_output_lost" : "error");
    } else if (report instanceof AttemptKilled k) {
      metrics.attemptEnded(spec, "killed",
          k.reason().startsWith("commit denied") ? "commit_denied" : "interrupted");
    } else {
      metrics.attemptEnded(spec, "failed", "error"); // an Error escaped the failure report
    }
  }

  private WorkerReport execute() throws Exception {
    // A split of the job's own class came as bytes (cluster mode): read it with the job's classes.
    TaskSpec spec = OpaqueSplit.readIn(this.spec, jobLoader);
    if (!OutputLayout.writesOutput(spec)) {
      return new AttemptSucceeded(spec.id(), workerId,
          runner.run(spec, jobLoader, throttled(), feed));
    }
    OutputCommitter committer = TaskCommit.committer(spec, jobLoader);
    TaskCommitContext task = TaskCommit.context(spec);
    committer.setupTask(task);
    TaskResult result = runner.run(spec, jobLoader, throttled(), feed);
    CommitAnswer answer = askCommit();
    if (!answer.granted()) {
      committer.abortTask(task);
      return new AttemptKilled(spec.id(), workerId, "commit denied: " + answer.reason());
    }
    if (committer.needsTaskCommit(task)) {
      committer.commitTask(task);
    }
    return new AttemptSucceeded(spec.id(), workerId, result);
  }

  private CommitAnswer askCommit() throws InterruptedException, ExecutionException {
    return AskPattern.<WorkerReport, CommitAnswer>ask(master,
            replyTo -> new CanCommit(spec.id(), replyTo), commitTimeout, scheduler)
        .toCompletableFuture()
        .get();
  }

  private TaskProgress throttled() {
    return new TaskProgress() {
      // The first report waits an interval too: the worker's AttemptRunning has told the master
      // the attempt started (progress 0), and most attempts of a many-task job end sooner, so a
      // report at the start was a message to the master per attempt for nothing.
      private long last = System.nanoTime();

      @Override
      public void report(float fraction) {
        long now = System.nanoTime();
        if (now - last >= PROGRESS_INTERVAL_NANOS) {
          last = now;
          master.tell(new AttemptProgress(spec.id(), fraction));
        }
      }
    };
  }

  private WorkerReport failure(Throwable t) {
    if (t instanceof ExecutionException e && e.getCause() != null) {
      t = e.getCause();
    }
    if (isInterruption(t)) {
      return new AttemptKilled(spec.id(), workerId, "interrupted");
    }
    log.info("attempt {} on {} failed: {}", spec.id(), workerId, t.toString());
    MapOutputLostException lost = lostOutput(t);
    return new AttemptFailed(spec.id(), workerId, t.toString(), stackTrace(t),
        lost == null ? null : lost.output());
  }

  private static boolean isInterruption(Throwable t) {
    return t instanceof InterruptedException || t instanceof ClosedByInterruptException
        || Thread.currentThread().isInterrupted();
  }

  private static MapOutputLostException lostOutput(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MapOutputLostException m) {
        return m;
      }
    }
    return null;
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
