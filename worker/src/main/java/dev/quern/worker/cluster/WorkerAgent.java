package dev.quern.worker.cluster;

import dev.quern.worker.actor.WorkerActor;
import dev.quern.worker.actor.WorkerCommand;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.actor.WorkerSettings;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.CommitAnswer;
import dev.quern.worker.cluster.ClusterWire.FromLeader;
import dev.quern.worker.cluster.ClusterWire.KillAttempt;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.Refused;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.executor.ExecutorPool;
import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.LogStream;
import dev.quern.worker.logs.LogsConfig;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process's link to the masters. Every heartbeat interval it sends a {@link Heartbeat}:
 * to the leader once one accepted it, else to every master of its list at once (a master that
 * does not lead answers with the leader's address, and the heartbeat goes there at once; the
 * leader answers {@link Accepted}). With no {@link Accepted} from the leader for the leader
 * timeout, it looks for the leader again; that is how it finds a new leader after a failover.
 * Liveness is the leader's business: it counts a worker dead when its heartbeats stop. Leader messages pass the {@link TermFence} first; one
 * it refuses is answered with {@link Refused}, which tells a deposed leader who leads now.
 *
 * <p>With {@link Runs}, it also runs attempts: a {@link WorkerActor} child (the data path of
 * local mode) runs each {@link RunAttempt}, and the agent turns its reports into {@link
 * ClusterWire} messages to the leader (a commit question's answer goes back to the waiting
 * attempt). An attempt whose job's class loader is not open yet waits for it (the jar may be on
 * its way from a master, fetched off the actor threads by {@link JarLoaders#open}), holding its
 * slot. A final report (succeeded, failed, killed) is kept until the leader the worker follows
 * acknowledges it in its term ({@link ClusterWire.FinalsAcked}: its book has the attempt ended),
 * or the job's end is heard ({@link ClusterWire.JobEnded}): one made while no leader is known
 * waits for the next one; one not acknowledged is sent again to the leader once per leader
 * timeout, and to a new leader at once after it accepts the worker, whose registering heartbeat
 * lists its attempt as running. A leader that died before it received the report, or before its
 * entry was committed, or a live one whose entry takes long to commit, left the attempt running
 * in the book, and no leader may kill and re-run an attempt that finished. At most {@link
 * #FINALS_MAX} reports are kept. A task's scratch directory, relative in the leader's message,
 * lies under this worker's data directory.
 */
public final class WorkerAgent {
  private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);

  /** The actor system name of every master process. */
  public static final String MASTER_SYSTEM = "quern-master";
  /** The name of a master's cluster actor, under {@code /user}. */
  public static final String MASTER_ACTOR = "cluster";

  /**
   * @param address this worker's own Artery {@code host:port}
   * @param masters the masters' Artery addresses
   */
  public record Settings(String workerId, String address, int slots, List<String> masters,
      Duration heartbeatInterval, Duration leaderTimeout) {}

  /**
   * How the worker runs attempts.
   *
   * @param worker the worker actor's settings (its host is the shuffle server's {@code host:port})
   * @param dataDir where relative scratch directories are resolved
   * @param executors the job executor JVMs the worker's runner uses (null: attempts run
   *     in-process), ended with their jobs
   * @param logs the attempts' logs this worker keeps (read for the leader, {@link
   *     ClusterWire.FetchLogs}, and swept past their retention)
   */
  public record Runs(WorkerSettings worker, Path dataDir, ExecutorPool executors,
      AttemptLogs logs) {
    /** Attempts in-process. */
    public Runs(WorkerSettings worker, Path dataDir) {
      this(worker, dataDir, null);
    }

    /** Logs under {@code DATA/logs}, with the default retention and cap. */
    public Runs(WorkerSettings worker, Path dataDir, ExecutorPool executors) {
      this(worker, dataDir, executors, new AttemptLogs(dataDir.resolve(LOGS),
          LogsConfig.DEFAULT_RETENTION, LogsConfig.DEFAULT_MAX_BYTES, java.time.Clock.systemUTC()));
    }
  }

  /** The directory under the data directory where attempts' logs are kept. */
  public static final String LOGS = "logs";

  /** What the agent knows of the leader, readable from other threads. */
  public record Link(String leaderId, long term, boolean registered) {}

  private enum Tick { INSTANCE }

  /** The class loader of an attempt's job is open ({@code error} null) or failed to open. */
  private record LoaderReady(TaskAttemptId attempt, Throwable error) {}

  /** The path of the cluster actor of the master at Artery address {@code hostPort}. */
  public static String masterPath(String hostPort) {
    return "pekko://" + MASTER_SYSTEM + "@" + hostPort + "/user/" + MASTER_ACTOR;
  }

  /** An agent that only heartbeats (every slot free). */
  public static Behavior<Object> create(Settings settings, AtomicReference<Link> link) {
    return create(settings, link, null);
  }

  /** An agent that runs attempts as {@code runs} says (null: it only heartbeats). */
  public static Behavior<Object> create(Settings settings, AtomicReference<Link> link,
      Runs runs) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate(Tick.INSTANCE, settings.heartbeatInterval());
      Agent agent = new Agent(ctx, settings, link, runs);
      agent.onTick();
      return Behaviors.receive(Object.class)
          .onMessageEquals(Tick.INSTANCE, agent::onTick)
          .onMessage(Accepted.class, agent::onAccepted)
          .onMessage(NotLeader.class, agent::onNotLeader)
          .onMessage(RunAttempt.class, agent::onRun)
          .onMessage(LoaderReady.class, agent::onLoaderReady)
          .onMessage(KillAttempt.class, agent::onKill)
          .onMessage(ClusterWire.MapOutputsChanged.class, agent::onMapOutputs)
          .onMessage(CommitAnswer.class, agent::onCommitAnswer)
          .onMessage(ClusterWire.JobEnded.class, agent::onJobEnded)
          .onMessage(ClusterWire.FinalsAcked.class, agent::onFinalsAcked)
          .onMessage(ClusterWire.MasterDirectory.class, agent::onMasterDirectory)
          .onMessage(WorkerReport.class, agent::onReport)
          .onMessage(ClusterWire.FetchLogs.class, agent::onFetchLogs)
          .build();
    }));
  }

  /**
   * The most final reports a worker keeps unacknowledged; past it the oldest is dropped (with a
   * warning), and a leader that never got it re-runs its task, as with a report lost before
   * acks. Reports pile up only while no leader acknowledges them: while the masters have no
   * majority no attempt starts, so a worker gathers at most its slots' worth per failover, and
   * a live leader acknowledges within an entry's commit. The bound is for a leader that never
   * acknowledges (a master of a version before acks: then a job's reports go at its end), and
   * it caps the memory at this many reports (a report is a few hundred bytes of counters, or a
   * failure's message and stack trace).
   */
  static final int FINALS_MAX = 10_000;

  /**
   * The most unacknowledged reports sent again to the leader on one heartbeat tick (those sent
   * longest ago first): spreads a large backlog over ticks rather than one burst.
   */
  static final int RESEND_PER_TICK = 1_000;

  /**
   * Every this many heartbeats to its leader a worker heartbeats the other masters too (they
   * answer who leads): so each master knows the workers, and one elected after the leader's
   * death tells them at once, not after their leader timeout.
   */
  static final int FOLLOWERS_EVERY = 10;

  /** How often a worker removes attempt logs past their retention. */
  static final Duration SWEEP_EVERY = Duration.ofMinutes(10);

  /** The directory under the data directory where the leader's relative scratch paths lie. */
  static final String SCRATCH = "scratch";

  private static final class Agent {
    private final ActorContext<Object> ctx;
    private final Settings settings;
    private final AtomicReference<Link> link;
    private final ActorRefResolver resolver;
    private final TermFence fence = new TermFence();
    private ActorRef<ToMaster> leader;
    private String leaderId = "";
    /** The term of the leader followed, as its last {@link Accepted} said (0 while none). */
    private long leaderTerm;
    private long lastAnswer;
    private long ticks;
    /**
     * The masters' Artery addresses the last leader's {@link ClusterWire.MasterDirectory} named:
     * heartbeated besides {@code --masters}, so that masters added later are found.
     */
    private List<String> learnedMasters = List.of();
    private final Runs runs;
    private final ActorRef<WorkerCommand> worker;
    /** Attempts this worker holds: waiting for their job's loader, or on the worker actor. */
    private final Set<TaskAttemptId> running = new LinkedHashSet<>();
    /** Attempts waiting for their job's class loader (its jar may be on its way). */
    private final Map<TaskAttemptId, TaskSpec> waiting = new HashMap<>();
    /**
     * Map output changes for reduce attempts still waiting for their loader, in the order they
     * came: the worker actor does not know the attempt yet and would drop them, and a reduce
     * started early (slow start) would then wait for those maps forever. Sent on after the
     * attempt's RunTask.
     */
    private final Map<TaskAttemptId, List<WorkerCommand.MapOutputsChanged>> heldOutputs =
        new HashMap<>();
    private final Map<TaskAttemptId, ActorRef<WorkerReport.CommitAnswer>> commitWaiters =
        new HashMap<>();
    /**
     * Final reports the leader followed has not acknowledged, by attempt, with when each was
     * last sent (nanos; made while no leader was known: when made), in that order.
     */
    private final java.util.LinkedHashMap<TaskAttemptId, Kept> finals =
        new java.util.LinkedHashMap<>();

    private record Kept(ToMaster report, long sentNanos) {}

    Agent(ActorContext<Object> ctx, Settings settings, AtomicReference<Link> link, Runs runs) {
      this.ctx = ctx;
      this.settings = settings;
      this.link = link;
      this.runs = runs;
      this.resolver = ActorRefResolver.get(ctx.getSystem());
      link.set(new Link("", 0, false));
      ActorRef<WorkerReport> reports = ctx.getSelf().narrow();
      this.worker = runs == null ? null
          : ctx.spawn(WorkerActor.create(runs.worker(), reports), "worker");
    }

    /** Admits a leader message, or logs and drops it (the sender learns from heartbeats). */
    private boolean admit(FromLeader m) {
      if (fence.admit(m.term(), m.leaderId())) {
        return true;
      }
      log.warn("worker {}: refused {} of {} in term {} (seen term {} of {})", settings.workerId(),
          m.getClass().getSimpleName(), m.leaderId(), m.term(), fence.term(), fence.leaderId());
      return false;
    }

    /**
     * Runs the attempt once its job's class loader is open: opening it may fetch the jar from a
     * master, which happens on the loaders' fetch pool, and the answer comes back as {@link
     * LoaderReady}. Meanwhile the attempt holds its slot and counts as running in heartbeats.
     */
    Behavior<Object> onRun(RunAttempt r) {
      if (worker == null || !admit(r)) {
        return Behaviors.same();
      }
      TaskSpec task = local(r.task());
      TaskAttemptId id = task.id();
      if (waiting.containsKey(id)) {
        return Behaviors.same(); // sent again while its jar is on its way
      }
      if (!(runs.worker().loaders() instanceof JarLoaders jars) || running.contains(id)) {
        worker.tell(new WorkerCommand.RunTask(task, ctx.getSelf().narrow()));
        return Behaviors.same();
      }
      running.add(id);
      waiting.put(id, task);
      ctx.pipeToSelf(jars.open(task), (loader, error) -> new LoaderReady(id, error));
      return Behaviors.same();
    }

    /** The job's loader is open (the attempt runs) or could not be (the attempt fails). */
    Behavior<Object> onLoaderReady(LoaderReady m) {
      TaskSpec task = waiting.remove(m.attempt());
      List<WorkerCommand.MapOutputsChanged> held = heldOutputs.remove(m.attempt());
      if (task == null) {
        return Behaviors.same(); // killed while it waited
      }
      if (m.error() == null) {
        worker.tell(new WorkerCommand.RunTask(task, ctx.getSelf().narrow()));
        if (held != null) {
          held.forEach(worker::tell); // after the RunTask: the worker actor knows the attempt
        }
        return Behaviors.same();
      }
      Throwable e = m.error() instanceof java.util.concurrent.CompletionException c
          && c.getCause() != null ? c.getCause() : m.error();
      String message = "job " + task.id().jobId() + ", attempt " + task.id() + " on worker "
          + settings.workerId() + ": cannot open the job's jar " + task.job().jar() + ": "
          + e.getMessage();
      log.warn("worker {}: {}", settings.workerId(), message);
      running.remove(task.id());
      send(new ClusterWire.AttemptFailed(settings.workerId(), task.id(), message,
          stackTrace(e), null), true);
      return Behaviors.same();
    }

    Behavior<Object> onKill(KillAttempt k) {
      if (worker == null || !admit(k)) {
        return Behaviors.same();
      }
      if (waiting.remove(k.attempt()) != null) {
        running.remove(k.attempt());
        heldOutputs.remove(k.attempt());
        send(new ClusterWire.AttemptKilled(settings.workerId(), k.attempt(), k.reason()), true);
      } else {
        worker.tell(new WorkerCommand.KillTask(k.attempt(), k.reason()));
      }
      return Behaviors.same();
    }

    /**
     * Forwarded in order after the attempt's RunTask, so the worker actor knows the attempt: held
     * while the attempt waits for its job's loader ({@link #heldOutputs}).
     */
    Behavior<Object> onMapOutputs(ClusterWire.MapOutputsChanged m) {
      if (worker != null && admit(m)) {
        WorkerCommand.MapOutputsChanged c =
            new WorkerCommand.MapOutputsChanged(m.attempt(), m.added(), m.withdrawn());
        if (waiting.containsKey(m.attempt())) {
          heldOutputs.computeIfAbsent(m.attempt(), k -> new ArrayList<>()).add(c);
        } else {
          worker.tell(c);
        }
      }
      return Behaviors.same();
    }

    Behavior<Object> onCommitAnswer(CommitAnswer a) {
      if (admit(a)) {
        ActorRef<WorkerReport.CommitAnswer> waiter = commitWaiters.remove(a.attempt());
        if (waiter != null) {
          waiter.tell(new WorkerReport.CommitAnswer(a.attempt(), a.granted(), a.reason()));
        }
      }
      return Behaviors.same();
    }

    Behavior<Object> onMasterDirectory(ClusterWire.MasterDirectory d) {
      if (!admit(d)) {
        return Behaviors.same();
      }
      if (!d.raftAddresses().isEmpty()) {
        learnedMasters = d.raftAddresses();
      }
      if (runs != null && runs.worker().loaders() instanceof JarLoaders jars) {
        jars.learnMasters(d.httpAddresses());
      }
      return Behaviors.same();
    }

    /** {@code --masters} and the masters the leader named last. */
    private java.util.Collection<String> masters() {
      Set<String> all = new LinkedHashSet<>(settings.masters());
      all.addAll(learnedMasters);
      return all;
    }

    /** The job's map outputs will not be read again: its scratch goes, off the actor thread. */
    Behavior<Object> onJobEnded(ClusterWire.JobEnded e) {
      if (runs == null || !admit(e)) {
        return Behaviors.same();
      }
      Path scratch = runs.dataDir().resolve(SCRATCH).resolve(e.jobId()).normalize();
      if (!scratch.startsWith(runs.dataDir().resolve(SCRATCH)) || scratch.getFileName() == null
          || !e.jobId().matches("[A-Za-z0-9._-]+")) {
        log.warn("worker {}: refused to clean up job '{}': not a job id", settings.workerId(),
            e.jobId());
        return Behaviors.same();
      }
      // Its reports are moot: the book ended the job, and no leader re-runs its tasks.
      finals.keySet().removeIf(id -> id.jobId().equals(e.jobId()));
      if (runs.worker().loaders() instanceof JarLoaders jars) {
        jars.jobEnded(e.jobId()); // an attempt still running keeps the classes it loaded
      }
      if (runs.executors() != null) {
        runs.executors().jobEnded(e.jobId());
      }
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          dev.quern.worker.actor.OutputLayout.deleteTree(scratch);
          log.info("worker {}: job {} ended; removed {}", settings.workerId(), e.jobId(), scratch);
        } catch (java.io.IOException ex) {
          log.warn("worker {}: cannot remove {}", settings.workerId(), scratch, ex);
        }
      });
      return Behaviors.same();
    }

    /**
     * A chunk of an attempt's log, read off the actor thread (a small read of a local file) and
     * answered from there.
     */
    Behavior<Object> onFetchLogs(ClusterWire.FetchLogs f) {
      String id = settings.workerId();
      if (runs == null || runs.logs() == null) {
        f.replyTo().tell(new ClusterWire.LogChunk(id, "NOT_FOUND", "worker " + id
            + " keeps no attempt logs", 0, 0, null));
        return Behaviors.same();
      }
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        ClusterWire.LogChunk answer;
        LogStream stream = LogStream.parse(f.stream());
        try {
          if (stream == null) {
            throw new IllegalArgumentException("not a log stream: '" + f.stream()
                + "' (stdout, stderr or log)");
          }
          AttemptLogs.Chunk c = runs.logs().read(f.jobId(), f.attempt(), stream, f.offset(),
              f.length());
          answer = new ClusterWire.LogChunk(id, "OK", "", c.size(), c.offset(), c.bytes());
        } catch (IllegalArgumentException e) {
          answer = new ClusterWire.LogChunk(id, "BAD_REQUEST", e.getMessage(), 0, 0, null);
        } catch (AttemptLogs.LogsUnavailable e) {
          answer = new ClusterWire.LogChunk(id, e.why().name(), e.getMessage() + " on worker "
              + id, 0, 0, null);
        } catch (java.io.IOException | RuntimeException e) {
          answer = new ClusterWire.LogChunk(id, "ERROR", "worker " + id + " cannot read the logs: "
              + e, 0, 0, null);
        }
        f.replyTo().tell(answer);
      });
      return Behaviors.same();
    }

    /** What the worker actor reports, to the leader. */
    Behavior<Object> onReport(WorkerReport r) {
      String id = settings.workerId();
      if (r instanceof WorkerReport.AttemptRunning a) {
        running.add(a.attempt());
      } else if (r instanceof WorkerReport.AttemptProgress p) {
        send(new ClusterWire.AttemptProgress(id, p.attempt(), p.fraction()), false);
      } else if (r instanceof WorkerReport.CanCommit c) {
        commitWaiters.put(c.attempt(), c.replyTo());
        send(new ClusterWire.CanCommit(id, c.attempt(), ctx.getSelf().narrow()), false);
      } else if (r instanceof WorkerReport.AttemptSucceeded s) {
        running.remove(s.attempt());
        TaskResult result = s.result();
        send(new ClusterWire.AttemptDone(id, s.attempt(), result.counters(),
            result.mapOutput()), true);
      } else if (r instanceof WorkerReport.AttemptFailed f) {
        running.remove(f.attempt());
        commitWaiters.remove(f.attempt());
        send(new ClusterWire.AttemptFailed(id, f.attempt(), f.message(), f.stackTrace(),
            f.lostOutput()), true);
      } else if (r instanceof WorkerReport.AttemptKilled k) {
        running.remove(k.attempt());
        commitWaiters.remove(k.attempt());
        send(new ClusterWire.AttemptKilled(id, k.attempt(), k.reason()), true);
      }
      return Behaviors.same();
    }

    private static String stackTrace(Throwable t) {
      java.io.StringWriter w = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(w));
      return w.toString();
    }

    /** Sends {@code m} to the leader, if one is known; a final report ({@code keep}) is kept. */
    private void send(ToMaster m, boolean keep) {
      if (keep) {
        TaskAttemptId id = attemptOf(m);
        finals.remove(id); // to the end: the map is in the order of the last send
        finals.put(id, new Kept(m, System.nanoTime()));
        if (finals.size() > FINALS_MAX) {
          var eldest = finals.entrySet().iterator();
          TaskAttemptId dropped = eldest.next().getKey();
          eldest.remove();
          log.warn("worker {}: {} final reports unacknowledged; dropped the oldest, of {} (a "
              + "leader that never got it runs its task again)", settings.workerId(),
              FINALS_MAX, dropped);
        }
      }
      if (leader != null) {
        leader.tell(m);
      }
    }

    /**
     * The leader followed has the attempts' ends in its book: their reports need not be sent
     * again. Only an ack of that leader in the term it was accepted in counts (and only while no
     * newer leader has spoken): a deposed leader's book is not the one the next leader reads.
     */
    Behavior<Object> onFinalsAcked(ClusterWire.FinalsAcked a) {
      if (leader == null || !a.leaderId().equals(leaderId) || a.term() != leaderTerm
          || !fence.admit(a.term(), a.leaderId())) {
        log.info("worker {}: ignored an ack of {} final report(s) from {} in term {} (follows "
            + "{} in term {})", settings.workerId(), a.attempts().size(), a.leaderId(), a.term(),
            leader == null ? "no leader" : leaderId, leaderTerm);
        return Behaviors.same();
      }
      a.attempts().forEach(finals::remove);
      return Behaviors.same();
    }

    /**
     * Sends again to the leader the reports it has not acknowledged within a leader timeout of
     * their last send (its entry is slow to commit, or the report or its ack was lost), at most
     * {@link #RESEND_PER_TICK} per tick.
     */
    private void resendUnacked() {
      long due = System.nanoTime() - settings.leaderTimeout().toNanos();
      List<Kept> again = new ArrayList<>();
      var it = finals.values().iterator();
      while (it.hasNext() && again.size() < RESEND_PER_TICK) {
        Kept k = it.next();
        if (k.sentNanos() - due > 0) {
          break; // in the order of their last send: the rest went later
        }
        again.add(k);
        it.remove();
      }
      if (again.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      for (Kept k : again) {
        leader.tell(k.report());
        finals.put(attemptOf(k.report()), new Kept(k.report(), now));
      }
      log.info("worker {}: sent {} unacknowledged final report(s) again to leader {} ({} kept)",
          settings.workerId(), again.size(), leaderId, finals.size());
    }

    private static TaskAttemptId attemptOf(ToMaster m) {
      if (m instanceof ClusterWire.AttemptDone d) {
        return d.attempt();
      } else if (m instanceof ClusterWire.AttemptFailed f) {
        return f.attempt();
      }
      return ((ClusterWire.AttemptKilled) m).attempt();
    }

    /** The task with its scratch directory under this worker's data directory. */
    private TaskSpec local(TaskSpec t) {
      if (t instanceof MapTaskSpec m) {
        return new MapTaskSpec(m.id(), m.job(), m.split(), localDir(m.scratchDir()),
            m.outputWorkDir());
      }
      ReduceTaskSpec r = (ReduceTaskSpec) t;
      return new ReduceTaskSpec(r.id(), r.job(), r.partition(), r.inputs(),
          localDir(r.scratchDir()), r.outputWorkDir(), r.mapCount());
    }

    private String localDir(String dir) {
      Path p = Path.of(dir);
      return p.isAbsolute() ? dir : runs.dataDir().resolve(p).toString();
    }

    /** When the attempt logs were last swept (nanos), or never. */
    private long lastSweep;
    private boolean swept;

    /** Removes attempt logs past their retention: at start, then every {@link #SWEEP_EVERY}. */
    private void sweepLogs() {
      if (runs == null || runs.logs() == null
          || swept && System.nanoTime() - lastSweep < SWEEP_EVERY.toNanos()) {
        return;
      }
      swept = true;
      lastSweep = System.nanoTime();
      AttemptLogs logs = runs.logs();
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          int n = logs.sweep();
          if (n > 0) {
            log.info("worker {}: removed the logs of {} attempt(s) older than {}",
                settings.workerId(), n, logs.retention());
          }
        } catch (java.io.IOException | RuntimeException e) {
          log.warn("worker {}: cannot sweep the attempt logs in {}: {}", settings.workerId(),
              logs.root(), e.toString());
        }
      });
    }

    Behavior<Object> onTick() {
      sweepLogs();
      if (leader != null
          && System.nanoTime() - lastAnswer > settings.leaderTimeout().toNanos()) {
        log.warn("worker {}: no answer from leader {} for {} ms; looking for the leader",
            settings.workerId(), leaderId, settings.leaderTimeout().toMillis());
        lose();
      }
      if (leader != null) {
        Heartbeat h = heartbeat(false);
        leader.tell(h);
        if (++ticks % FOLLOWERS_EVERY == 0) {
          // The leader among them too: a second heartbeat changes nothing there.
          masters().forEach(m -> master(m).tell(h));
        }
        resendUnacked();
      } else {
        // Every master at once: the leader answers Accepted, the others name it (or no one,
        // during an election, and the next tick asks again).
        Heartbeat h = heartbeat(true);
        masters().forEach(m -> master(m).tell(h));
      }
      return Behaviors.same();
    }

    Behavior<Object> onAccepted(Accepted a) {
      if (!fence.admit(a.term(), a.leaderId())) {
        log.warn("worker {}: refused a message of {} in term {} (seen term {} of {})",
            settings.workerId(), a.leaderId(), a.term(), fence.term(), fence.leaderId());
        a.leader().tell(new Refused(settings.workerId(), fence.term(), fence.leaderId()));
        return Behaviors.same();
      }
      boolean newLeader = leader == null || !leader.equals(a.leader());
      if (newLeader) {
        log.info("worker {}: registered with leader {} (term {})", settings.workerId(),
            a.leaderId(), a.term());
      }
      leader = a.leader();
      leaderId = a.leaderId();
      leaderTerm = a.term();
      lastAnswer = System.nanoTime();
      link.set(new Link(leaderId, a.term(), true));
      if (newLeader && !finals.isEmpty()) {
        // Reports no leader acknowledged: made while none was known, or sent to the last one,
        // which may have died with them (received, or sent to it while it was already dead,
        // and not yet in the book). The new one acknowledges at once those its book has.
        long now = System.nanoTime();
        finals.values().forEach(k -> leader.tell(k.report()));
        finals.replaceAll((id, k) -> new Kept(k.report(), now));
        log.info("worker {}: sent {} unacknowledged final report(s) to leader {}",
            settings.workerId(), finals.size(), leaderId);
      }
      if (newLeader) {
        // A question the last leader may have died with: asking again is safe (a grant in the
        // log is answered yes again), and beats waiting out the commit timeout.
        for (TaskAttemptId waiting : commitWaiters.keySet()) {
          leader.tell(new ClusterWire.CanCommit(settings.workerId(), waiting,
              ctx.getSelf().narrow()));
        }
      }
      return Behaviors.same();
    }

    Behavior<Object> onNotLeader(NotLeader n) {
      if (leader != null && n.masterId().equals(leaderId) && n.leaderId().equals(leaderId)
          && n.term() >= fence.term()) {
        // The leader followed names itself: its scheduling session does not know this worker
        // (it started over, or this master was elected again). Register as with a new leader,
        // so that the final reports that session may have dropped are sent again.
        log.info("worker {}: leader {} asks it to register again (term {})",
            settings.workerId(), leaderId, n.term());
        lose();
      }
      if (leader != null && n.masterId().equals(leaderId) && !n.leaderId().equals(leaderId)) {
        log.info("worker {}: {} no longer leads (term {}); looking for the leader",
            settings.workerId(), leaderId, n.term());
        lose();
      }
      if (leader != null && !n.leaderId().isEmpty() && n.term() > fence.term()) {
        // A leader of a newer term (an elected master names itself to the workers it knows at
        // once; perhaps the one followed, elected again): the term followed now is over, and
        // the new leader knows no worker until it registers, so no need to wait out a timeout.
        log.info("worker {}: {} leads in term {} after {} (term {}); registering with it",
            settings.workerId(), n.leaderId(), n.term(), leaderId, fence.term());
        lose();
      }
      if (leader == null && !n.leaderAddress().isEmpty() && n.term() >= fence.term()) {
        master(n.leaderAddress()).tell(heartbeat(true));
      }
      return Behaviors.same();
    }

    private void lose() {
      leader = null;
      leaderId = "";
      leaderTerm = 0;
      link.set(new Link("", fence.term(), false));
    }

    private ActorRef<ToMaster> master(String hostPort) {
      return resolver.resolveActorRef(masterPath(hostPort));
    }

    /**
     * A registering heartbeat also lists the attempts whose final reports a new leader gets
     * right after (every unacknowledged one), so that it does not take them for attempts that
     * vanished.
     */
    private Heartbeat heartbeat(boolean registering) {
      ActorRef<ToWorker> self = ctx.getSelf().narrow();
      Set<TaskAttemptId> listed = running;
      if (registering && !finals.isEmpty()) {
        Set<TaskAttemptId> all = new LinkedHashSet<>(running);
        all.addAll(finals.keySet());
        listed = all;
      }
      List<String> ids = listed.stream().map(TaskAttemptId::toString).toList();
      List<ClusterWire.ExecutorReport> executors = runs == null || runs.executors() == null
          ? List.of() : runs.executors().views().stream().map(v -> new ClusterWire.ExecutorReport(
              v.jobId(), v.pid(), v.memory(), v.startedMillis(), v.running(), v.generation()))
              .toList();
      return new Heartbeat(settings.workerId(), settings.address(), settings.slots(),
          Math.max(0, settings.slots() - running.size()), ids, fence.term(), registering, self,
          runs == null ? "" : runs.worker().host(), executors);
    }
  }
}
