package dev.quern.master.engine;

import dev.quern.api.JobSpec;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.commit.SuccessFile;
import dev.quern.master.engine.MasterCommand.JobCommitFinished;
import dev.quern.worker.actor.WorkerCommand;
import dev.quern.worker.actor.WorkerReport;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@link Scheduler}'s {@link Effect}s: messages to workers, and the file work of
 * a job's start, commit and end. Slow file work (the job commit, cleaning up) runs on one
 * background thread; the job commit's result comes back to the master as {@link
 * JobCommitFinished}.
 *
 * <p>Called on the master actor's thread; {@link #close} when the actor stops.
 */
final class EffectExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EffectExecutor.class);

  private final Map<String, ActorRef<WorkerCommand>> workers = new HashMap<>();
  private final ActorRef<WorkerReport> reports;
  private final ActorRef<MasterCommand> master;
  private final Clock clock;
  private final ExecutorService files;
  private final Function<String, JobSpec> specs;

  /**
   * @param reports where workers send their reports (given to each attempt they run)
   * @param master receives {@link JobCommitFinished}
   * @param clock reads a job commit's end time
   * @param specs the spec of a job by its id (null when unknown), read on the caller's thread:
   *     the job's committer and configuration ({@code quern.hadoop.*}) for its file work
   */
  EffectExecutor(ActorRef<WorkerReport> reports, ActorRef<MasterCommand> master, Clock clock,
      Function<String, JobSpec> specs) {
    this.reports = reports;
    this.master = master;
    this.clock = clock;
    this.specs = specs;
    this.files = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "quern-master-files");
      t.setDaemon(true);
      return t;
    });
  }

  void workerRegistered(String workerId, ActorRef<WorkerCommand> ref) {
    workers.put(workerId, ref);
  }

  void workerGone(String workerId) {
    workers.remove(workerId);
  }

  /**
   * Sets the job's output up through its committer (by default: creates the output's {@code
   * _temporary}); the error, or null when it worked.
   */
  String setupJob(JobSpec spec) {
    try {
      JobCommitter.setupJob(spec);
      return null;
    } catch (Exception e) {
      return e.toString();
    }
  }

  void run(List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Effect.RunTask r) {
        tell(r.workerId(), new WorkerCommand.RunTask(r.spec(), reports));
      } else if (e instanceof Effect.KillTask k) {
        tell(k.workerId(), new WorkerCommand.KillTask(k.attempt(), k.reason()));
      } else if (e instanceof Effect.MapOutputsChanged c) {
        tell(c.workerId(), new WorkerCommand.MapOutputsChanged(c.attempt(), c.added(),
            c.withdrawn()));
      } else if (e instanceof Effect.AnswerCommit a) {
        a.request().replyTo().tell(a.answer());
      } else if (e instanceof Effect.AbortJob a) {
        try {
          JobCommitter.abortJob(a.jobId(), a.outputPath(), spec(a.jobId(), a.outputPath()));
        } catch (Exception ex) {
          log.warn("removing the temporary output of job {} failed", a.jobId(), ex);
        }
      } else if (e instanceof Effect.CleanUp c) {
        JobSpec spec = spec(c.jobId(), c.outputPath());
        files.execute(() -> {
          try {
            JobCommitter.abortJob(c.jobId(), c.outputPath(), spec);
            ScratchDeletion.deleteTree(c.scratch());
          } catch (Exception ex) {
            log.warn("cleaning up job {} failed", c.jobId(), ex);
          }
        });
      } else if (e instanceof Effect.CommitJob c) {
        commitJob(c);
      }
    }
  }

  private void tell(String workerId, WorkerCommand command) {
    ActorRef<WorkerCommand> ref = workers.get(workerId);
    if (ref != null) {
      ref.tell(command);
    }
  }

  /** The job's spec, for its committer and configuration; null when the job is unknown. */
  private JobSpec spec(String jobId, String outputPath) {
    JobSpec spec = specs.apply(jobId);
    return spec != null && spec.outputPath().equals(outputPath) ? spec : null;
  }

  private void commitJob(Effect.CommitJob c) {
    SuccessFile base = c.success();
    JobSpec spec = spec(c.jobId(), c.outputPath());
    CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> {
      long end = clock.millis();
      try {
        SuccessFile success = new SuccessFile(base.jobId(), base.name(), base.user(),
            base.submitTime(), base.startTime() < 0 ? end : base.startTime(), end,
            base.counters());
        JobCommitter.commitJob(c.jobId(), c.outputPath(), spec, c.committedAttempts(),
            success);
        ScratchDeletion.deleteTree(c.scratch());
      } catch (Exception e) {
        throw new CompletionException(e);
      }
      return end;
    }, files);
    done.whenComplete((end, err) -> master.tell(err == null
        ? new JobCommitFinished(c.jobId(), end, null)
        : new JobCommitFinished(c.jobId(), clock.millis(), "job commit failed: "
            + (err.getCause() != null ? err.getCause() : err))));
  }

  @Override
  public void close() {
    files.shutdown();
  }
}
