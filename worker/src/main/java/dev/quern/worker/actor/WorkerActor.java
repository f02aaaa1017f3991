package dev.quern.worker.actor;

import dev.quern.worker.actor.WorkerCommand.AttemptEnded;
import dev.quern.worker.actor.WorkerCommand.KillTask;
import dev.quern.worker.actor.WorkerCommand.MapOutputsChanged;
import dev.quern.worker.actor.WorkerCommand.RunTask;
import dev.quern.worker.actor.WorkerCommand.Stop;
import dev.quern.worker.actor.WorkerReport.AttemptKilled;
import dev.quern.worker.actor.WorkerReport.AttemptRunning;
import dev.quern.worker.actor.WorkerReport.Register;
import dev.quern.worker.runner.TaskMemory;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: a fixed number of slots, each attempt on a thread of the worker's own pool (user code
 * never runs on the actor dispatcher). It registers with the master when it starts, then runs
 * what the master sends and reports back.
 */
public final class WorkerActor extends AbstractBehavior<WorkerCommand> {
  private static final Logger log = LoggerFactory.getLogger(WorkerActor.class);

  private final WorkerSettings settings;
  private final ExecutorService pool;
  private final Map<TaskAttemptId, Running> running = new HashMap<>();
  /**
   * The starting outputs of the last reduce started here: the next reduce of the same phase gets
   * the same list from the scheduler and shares the arrays instead of building them again.
   */
  private MapOutputFeed.Start lastStart;

  /** {@code feed}: a reduce's map outputs, kept up to date from the master; null for a map. */
  private record Running(Future<?> future, ActorRef<WorkerReport> replyTo, MapOutputFeed feed) {}

  public static Behavior<WorkerCommand> create(WorkerSettings settings,
      ActorRef<WorkerReport> master) {
    return Behaviors.setup(ctx -> {
      master.tell(new Register(settings.workerId(), settings.host(), settings.slots(),
          ctx.getSelf()));
      return new WorkerActor(ctx, settings);
    });
  }

  /** This worker's slots, counted in the heap's share per slot while it lives. */
  private final TaskMemory.Slots memory;

  private WorkerActor(ActorContext<WorkerCommand> ctx, WorkerSettings settings) {
    super(ctx);
    this.settings = settings;
    this.pool = Executors.newFixedThreadPool(settings.slots(), threads(settings.workerId()));
    this.memory = TaskMemory.register(settings.slots());
  }

  private static ThreadFactory threads(String workerId) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, workerId + "-slot-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public Receive<WorkerCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(RunTask.class, this::onRun)
        .onMessage(KillTask.class, this::onKill)
        .onMessage(AttemptEnded.class, this::onEnded)
        .onMessage(MapOutputsChanged.class, this::onMapOutputs)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<WorkerCommand> onRun(RunTask m) {
    TaskAttemptId id = m.spec().id();
    if (running.size() >= settings.slots() || running.containsKey(id)) {
      settings.metrics().refused(m.spec(), "killed", "no_free_slot");
      m.replyTo().tell(new AttemptKilled(id, settings.workerId(),
          "worker " + settings.workerId() + " has no free slot"));
      return this;
    }
    ClassLoader loader;
    try {
      loader = settings.loaders().loaderFor(m.spec());
    } catch (RuntimeException e) {
      settings.metrics().refused(m.spec(), "failed", "job_classes");
      m.replyTo().tell(new WorkerReport.AttemptFailed(id, settings.workerId(),
          "cannot load job classes: " + e, AttemptExecution.stackTrace(e), null));
      return this;
    }
    MapOutputFeed feed = null;
    if (m.spec() instanceof ReduceTaskSpec r) {
      if (lastStart == null || !lastStart.isOf(r.inputs())) {
        lastStart = MapOutputFeed.Start.of(r.inputs());
      }
      feed = new MapOutputFeed(lastStart);
    }
    AttemptExecution exec = new AttemptExecution(m.spec(), settings.workerId(), settings.runner(),
        loader, m.replyTo(), getContext().getSelf(), getContext().getSystem().scheduler(),
        settings.commitTimeout(), feed, settings.metrics());
    running.put(id, new Running(pool.submit(exec), m.replyTo(), feed));
    m.replyTo().tell(new AttemptRunning(id, settings.workerId()));
    return this;
  }

  private Behavior<WorkerCommand> onKill(KillTask m) {
    Running r = running.remove(m.attempt());
    if (r != null) {
      settings.runner().killing(m.attempt());
      r.future().cancel(true);
      r.replyTo().tell(new AttemptKilled(m.attempt(), settings.workerId(), m.reason()));
    }
    return this;
  }

  private Behavior<WorkerCommand> onMapOutputs(MapOutputsChanged m) {
    Running r = running.get(m.attempt());
    if (r != null && r.feed() != null) {
      r.feed().update(m.added(), m.withdrawn());
    }
    return this;
  }

  private Behavior<WorkerCommand> onEnded(AttemptEnded m) {
    Running r = running.remove(m.attempt());
    if (r != null) {
      r.replyTo().tell(m.report());
    }
    return this;
  }

  private Behavior<WorkerCommand> onStop() {
    log.info("worker {} stopping; interrupting {} running attempt(s)", settings.workerId(),
        running.size());
    pool.shutdownNow();
    memory.close();
    return this;
  }
}
