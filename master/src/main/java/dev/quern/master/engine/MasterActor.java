package dev.quern.master.engine;

import dev.quern.master.engine.MasterCommand.FromWorker;
import dev.quern.master.engine.MasterCommand.JobCommitFinished;
import dev.quern.master.engine.MasterCommand.KillJob;
import dev.quern.master.engine.MasterCommand.SubmitJob;
import dev.quern.master.engine.MasterCommand.WorkerGone;
import dev.quern.master.engine.Outcome.Applied;
import dev.quern.master.engine.Outcome.Rejected;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.actor.WorkerReport.Register;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The master in local mode: feeds each message, with the clock's time, to the {@link Scheduler}
 * (which owns the {@link JobBook} and decides), has the {@link EffectExecutor} carry out what it
 * decided, then publishes the views of what changed to the {@link ClusterMonitor}. It also
 * watches workers, and ticks the scheduler's task timeouts.
 */
public final class MasterActor extends AbstractBehavior<MasterCommand> {
  private static final Duration TIMEOUT_TICK = Duration.ofMillis(250);

  private final Clock clock;
  private final ClusterMonitor monitor;
  private final Scheduler scheduler;
  private final EffectExecutor executor;
  private final ActorRef<WorkerReport> reports;

  /**
   * @param workDir the cluster's scratch root: map outputs live in {@code workDir/<job>/<attempt>}
   * @param clock the source of every event's time
   * @param journal receives every applied event, in order
   */
  public record Settings(Path workDir, Clock clock, JobJournal journal) {}

  public static Behavior<MasterCommand> create(Settings settings, ClusterMonitor monitor) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new MasterCommand.CheckTimeouts(), TIMEOUT_TICK);
      return new MasterActor(ctx, settings, monitor);
    }));
  }

  private MasterActor(ActorContext<MasterCommand> ctx, Settings settings, ClusterMonitor monitor) {
    super(ctx);
    this.clock = settings.clock();
    this.monitor = monitor;
    this.scheduler = new Scheduler(new JobBook(), settings.workDir(), settings.journal());
    this.reports = ctx.messageAdapter(WorkerReport.class, FromWorker::new);
    this.executor = new EffectExecutor(reports, ctx.getSelf(), clock, id -> {
      BookJob job = scheduler.book().job(id);
      return job == null ? null : job.spec();
    });
  }

  @Override
  public Receive<MasterCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(SubmitJob.class, this::onSubmit)
        .onMessage(KillJob.class, m -> {
          boolean killed = scheduler.kill(m.jobId(), m.reason(), now());
          carryOut(); // so that a status read right after kill() returns sees KILLED
          m.replyTo().tell(killed);
          return this;
        })
        .onMessage(FromWorker.class, m -> {
          if (m.report() instanceof Register r) {
            executor.workerRegistered(r.workerId(), r.worker());
            getContext().watchWith(r.worker(), new WorkerGone(r.workerId()));
          }
          scheduler.report(m.report(), now());
          return carryOut();
        })
        .onMessage(WorkerGone.class, m -> {
          scheduler.workerGone(m.workerId(), now());
          executor.workerGone(m.workerId());
          return carryOut();
        })
        .onMessage(JobCommitFinished.class, m -> {
          scheduler.commitFinished(m.jobId(), m.endTime(), m.error(), now());
          return carryOut();
        })
        .onMessage(MasterCommand.CheckTimeouts.class, m -> {
          scheduler.checkTimeouts(now());
          return carryOut();
        })
        .onMessage(MasterCommand.GetReportPort.class, m -> {
          m.replyTo().tell(reports);
          return this;
        })
        .onSignal(PostStop.class, s -> {
          executor.close();
          return this;
        })
        .build();
  }

  private Behavior<MasterCommand> onSubmit(SubmitJob m) {
    String setupError = executor.setupJob(m.spec());
    Outcome o = scheduler.submit(m.spec(), m.splits(), m.planned(), setupError, now());
    if (o instanceof Applied a) {
      m.onAccepted().accept(a.jobId()); // before any of its tasks starts
    }
    // Published before answering, so the submitter can read the job's status at once.
    carryOut();
    m.replyTo().tell(o instanceof Applied a
        ? new SubmitAnswer.Accepted(monitor.job(a.jobId()).orElseThrow())
        : new SubmitAnswer.Refused(((Rejected) o).reason()));
    return this;
  }

  /** Carries out what the scheduler decided, then publishes what changed. */
  private Behavior<MasterCommand> carryOut() {
    executor.run(scheduler.drainEffects());
    for (JobView v : scheduler.drainJobViews()) {
      monitor.publish(v);
    }
    scheduler.drainWorkerViews().ifPresent(monitor::publishWorkers);
    return this;
  }

  private long now() {
    return clock.millis();
  }
}
