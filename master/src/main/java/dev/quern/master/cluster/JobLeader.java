package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.api.io.InputSplit;
import dev.quern.master.cluster.jars.SplitLists;
import dev.quern.master.engine.BookAttempt;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.Outcome;
import dev.quern.master.engine.StoredSplits;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.cluster.ClusterWire.CanCommit;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.task.TaskAttemptId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of a master while it leads ({@code /user/leader}): it runs only once this
 * master's first entry of its term is applied, on a copy of the replicated book read then
 * (a linearizable {@link RaftNodeActor.Read}), and proposes every change of the book as a log
 * entry before any worker hears of it ({@link LeaderScheduler}).
 *
 * <p>A term of leadership is a <em>session</em>. It ends when the Raft node stops leading or
 * its term changes, when a proposal is not applied, or when the log's outcome differs from the
 * copy's; whatever waited on the session (a submission, a kill) is told to retry, and a master
 * that still leads starts a new session from the replicated book.
 *
 * <p>After a failover, workers report to the new leader what they run. An attempt the book
 * records as running on a worker that reports without it is over (its end went to the old
 * leader); one whose worker does not report within the grace period is lost with its worker.
 *
 * <p>A worker's final report of an attempt is acknowledged ({@link ClusterWire.FinalsAcked})
 * once the book has the attempt's end applied; the worker keeps it, and sends it again, until
 * then.
 */
public final class JobLeader {
  private static final Logger log = LoggerFactory.getLogger(JobLeader.class);

  /** What the job leader hears. */
  public sealed interface Command {}

  /**
   * The cluster actor accepted a worker's heartbeat in the term it leads in. A {@code
   * registering} one lists, besides what runs, the attempts whose final reports the worker sends
   * (again) to the leader it registers with; only such a heartbeat may register the worker with
   * a scheduling session.
   */
  public record WorkerSeen(long term, String workerId, String host, int slots,
      List<String> running, boolean registering, ActorRef<ToWorker> replyTo)
      implements Command {}

  /** The cluster actor gave up on a worker (no heartbeat for the worker timeout). */
  public record WorkerLost(String workerId) implements Command {}

  /** An attempt message from a worker. */
  public record FromWorker(ToMaster message) implements Command {}

  /**
   * A checked job from a client; the answer comes once its acceptance is applied. With {@code
   * stored}, the book records only that reference to the split list {@code splits}.
   */
  public record Submit(JobSpec spec, List<BookSplit> splits, StoredSplits stored,
      ActorRef<SubmitReply> replyTo) implements Command {}

  /** Kill a job; the answer comes once the kill is applied (false: not running). */
  public record Kill(String jobId, String reason, ActorRef<KillReply> replyTo)
      implements Command {}

  /** The answer to {@link Submit}. */
  public sealed interface SubmitReply {}

  public record SubmitAccepted(String jobId) implements SubmitReply {}

  /** The book refused the job (e.g. its output directory is claimed by another job). */
  public record SubmitRefused(String reason) implements SubmitReply {}

  /** This master does not lead (or lost its term meanwhile): ask the leader. */
  public record NotLeading(String reason) implements SubmitReply, KillReply {}

  public sealed interface KillReply {}

  public record KillDone(boolean killed) implements KillReply {}

  private enum Tick implements Command { INSTANCE }

  private record Relayed(long epoch, Object reply) implements Command {}

  private record CommitDone(long epoch, String jobId, long endTime, String error)
      implements Command {}

  /** A stored split list was read (or not: {@code splits} null, {@code error} why). */
  private record SplitsLoaded(long epoch, String jobId, List<BookSplit> splits, String error)
      implements Command {}

  /** How long a leader waits before it asks again for a split list no master gave it. */
  private static final Duration SPLITS_RETRY = Duration.ofSeconds(2);

  /**
   * @param scratch the relative scratch root named in task specs (workers resolve it under
   *     their own data directories)
   * @param grace how long a worker has after a new session starts to report the attempts it
   *     runs, before the book's attempts on it are given up
   * @param jars this master's stored jars (an output format's committer may come from one)
   * @param retention how long ended jobs stay in the book ({@link #retireEnded})
   * @param scheduling the scheduler's cluster-wide settings ({@link SchedulingConfig})
   * @param progress where the workers' progress reports go, for this master's job views
   * @param splits the masters' split lists: a job this leader took over waits for its list
   */
  public record Settings(String masterId, String raftAddress, RaftMonitor monitor,
      ActorRef<RaftNodeActor.Command> raft, Path scratch, Duration tick, Duration grace,
      Clock clock, Path jars, Retention retention,
      dev.quern.master.engine.SchedulerSettings scheduling, ProgressViews progress,
      SplitLists splits) {}

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
      Leader l = new Leader(ctx, settings);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.INSTANCE, l::onTick)
          .onMessage(WorkerSeen.class, l::onWorkerSeen)
          .onMessage(WorkerLost.class, l::onWorkerLost)
          .onMessage(FromWorker.class, l::onFromWorker)
          .onMessage(Submit.class, l::onSubmit)
          .onMessage(Kill.class, l::onKill)
          .onMessage(Relayed.class, l::onRelayed)
          .onMessage(CommitDone.class, l::onCommitDone)
          .onMessage(SplitsLoaded.class, l::onSplitsLoaded)
          .onSignal(PostStop.class, s -> {
            l.files.close();
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static final class Leader {
    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final JobFiles files;
    /** Workers heard from in the term this master leads in (cleared when the term changes). */
    private final Map<String, WorkerSeen> workers = new LinkedHashMap<>();
    /**
     * For each worker, the epoch of the scheduling session its last registering heartbeat was
     * for. A session registers only the workers that registered for it: one that still follows
     * this master from an earlier session (an earlier term, or this term's session that broke)
     * sent its final reports to that session, which may have dropped them, and lists only what
     * still runs; taken as is, the attempts it finished would be killed and run again.
     */
    private final Map<String, Long> registeredFor = new HashMap<>();
    private long workersTerm;
    private long epochs;
    private Session session;
    /**
     * Final reports whose end the book has applied, to acknowledge to their workers at the end
     * of the message being handled (those of one message, or of one applied entry, go together).
     */
    private final List<Ack> acks = new ArrayList<>();

    /** A final report of {@code worker} to acknowledge, in {@code term}. */
    private record Ack(long term, String workerId, TaskAttemptId attempt) {}

    Leader(ActorContext<Command> ctx, Settings settings) {
      this.ctx = ctx;
      this.settings = settings;
      this.files = new JobFiles(settings.jars());
    }

    /** One term of leadership. */
    private final class Session {
      final long term;
      final long epoch;
      final ActorRef<Object> relay;
      final long startedNanos = System.nanoTime();
      LeaderScheduler scheduler;
      /** Proposals awaiting their Applied, in the order proposed (the node applies in order). */
      final Deque<Long> inFlight = new ArrayDeque<>();
      /** What to tell once an entry is applied (true) or the session ends first (false). */
      final Map<Long, List<Consumer<Boolean>>> waiting = new HashMap<>();
      /** Inputs that came before the book was read: run once it is. */
      final List<Runnable> early = new ArrayList<>();
      final Map<TaskAttemptId, ActorRef<ToWorker>> commitAsks = new HashMap<>();
      /** Attempts this session sent to a worker (a heartbeat may predate their arrival). */
      final Set<TaskAttemptId> sentHere = new HashSet<>();
      final Set<String> registered = new HashSet<>();
      /** Workers this session asked to register again (logged once each). */
      final Set<String> askedToRegister = new HashSet<>();
      /** Job commits this session began: stopped when it ends, since the next leader reruns them. */
      final List<java.util.concurrent.Future<?>> commits = new ArrayList<>();
      /** Jobs whose stored split list is being read, and when a failed read may be retried. */
      final Set<String> loadingSplits = new HashSet<>();
      final Map<String, Long> splitsRetryNanos = new HashMap<>();
      boolean graceOver;
      /** Whether this session has sent an attempt yet (its first one is logged: failover timeline). */
      boolean assigned;

      Session(long term, long epoch) {
        this.term = term;
        this.epoch = epoch;
        this.relay = ctx.spawnAnonymous(Behaviors.receive(Object.class)
            .onAnyMessage(m -> {
              ctx.getSelf().tell(new Relayed(epoch, m));
              return Behaviors.same();
            }).build());
      }
    }

    // ---- leadership -------------------------------------------------------------------------

    Behavior<Command> onTick() {
      long term = leadingTerm();
      if (session != null && (session.term != term
          || (session.scheduler != null && session.scheduler.broken() != null))) {
        end(session.scheduler != null && session.scheduler.broken() != null
            ? session.scheduler.broken() : "leadership moved on (term " + term + ")");
      }
      if (term != workersTerm) {
        workers.clear();
        workersTerm = term;
      }
      if (term == 0) {
        return Behaviors.same();
      }
      if (session == null) {
        begin(term);
        return Behaviors.same();
      }
      if (session.scheduler != null) {
        if (!session.graceOver && System.nanoTime() - session.startedNanos
            > settings.grace().toNanos()) {
          session.graceOver = true;
          giveUpUnclaimed();
        }
        session.scheduler.scheduler().checkTimeouts(now());
        loadMissingSplits();
        retireEnded();
        afterInput();
        settings.progress().refresh();
        settings.progress().excluded(session.scheduler.scheduler().excludedWorkers());
      }
      return Behaviors.same();
    }

    /**
     * Retention, on the tick: ended jobs past the limits leave the book (every master keeps
     * their record in its history store). Proposed with the tick's other events.
     */
    private void retireEnded() {
      int n = session.scheduler.retire(settings.retention(), now());
      if (n > 0) {
        log.info("retiring {} ended job(s) from the book (retention {})", n,
            settings.retention());
      }
    }

    private long leadingTerm() {
      Optional<RaftStatus> s = settings.monitor().status();
      return s.filter(RaftStatus::isLeader).map(RaftStatus::term).orElse(0L);
    }

    private void begin(long term) {
      session = new Session(term, ++epochs);
      log.info("master {} leads in term {}: reading the job book", settings.masterId(), term);
      settings.raft().tell(new RaftNodeActor.Read(
          m -> BookCodec.snapshot(((JobBookMachine) m).book()), session.relay.narrow()));
    }

    private void end(String why) {
      Session s = session;
      session = null;
      settings.progress().clear();
      settings.progress().excluded(java.util.Set.of());
      log.info("master {}: scheduling session of term {} ends: {}", settings.masterId(), s.term,
          why);
      ctx.stop(s.relay);
      s.commits.forEach(f -> f.cancel(true));
      s.waiting.values().forEach(l -> l.forEach(c -> c.accept(false)));
    }

    private void onRead(Session s, RaftNodeActor.ReadReply reply) {
      if (!(reply instanceof RaftNodeActor.ReadResult r)) {
        end("the book could not be read: " + reply);
        return;
      }
      JobBook book = BookCodec.restore(r.value());
      s.scheduler = new LeaderScheduler(book, settings.scratch(), settings.scheduling());
      s.scheduler.takeOver(now());
      log.info("master {} schedules in term {} from the book at index {} ({} job(s))",
          settings.masterId(), s.term, r.index(), book.jobs().size());
      afterInput();
      loadMissingSplits();
      for (WorkerSeen w : workers.values()) {
        registerOrAsk(w);
      }
      List<Runnable> early = new ArrayList<>(s.early);
      s.early.clear();
      early.forEach(Runnable::run);
    }

    // ---- inputs -----------------------------------------------------------------------------

    Behavior<Command> onWorkerSeen(WorkerSeen w) {
      if (w.term() != leadingTerm()) {
        return Behaviors.same();
      }
      workersTerm = w.term();
      if (w.registering()) {
        registeredFor.put(w.workerId(), session != null && session.term == w.term()
            ? session.epoch : epochs + 1);
      }
      WorkerSeen before = workers.get(w.workerId());
      // A registering heartbeat lists all the worker claims: it starts the claims afresh.
      if (!w.registering() && before != null && before.replyTo().equals(w.replyTo())
          && (session == null
          || session.scheduler == null || !session.registered.contains(w.workerId()))) {
        // Not registered yet (the book is being read): the attempts a registering heartbeat
        // claimed, among them ones whose final report follows it, stay claimed when the next
        // heartbeat lists only what still runs; the reports settle them after registration.
        Set<String> running = new java.util.LinkedHashSet<>(before.running());
        running.addAll(w.running());
        w = new WorkerSeen(w.term(), w.workerId(), w.host(), w.slots(), List.copyOf(running),
            before.registering(), w.replyTo());
      }
      workers.put(w.workerId(), w);
      if (before != null && !before.replyTo().equals(w.replyTo()) && session != null
          && session.scheduler != null && session.registered.remove(w.workerId())) {
        // A new life of the worker (restarted under its id before its heartbeats stopped for
        // the worker timeout, so the cluster actor never lost it): the attempts of its last
        // life died with it, and it heartbeats without them. Without this they held their
        // tasks until the task timeout. Lose the old life now; the new one registers below.
        log.warn("worker {} restarted (new agent {}): its earlier attempts are lost",
            w.workerId(), w.replyTo());
        session.scheduler.scheduler().workerGone(w.workerId(), now());
        afterInput();
      }
      if (session != null && session.scheduler != null && session.term == w.term()) {
        if (!session.registered.contains(w.workerId())) {
          registerOrAsk(w);
        } else {
          heartbeat(w);
        }
      }
      return Behaviors.same();
    }

    /**
     * A registered worker's later heartbeat: heard from now, and what it runs that the book
     * ended is stopped (the book may end an attempt after the registration without the worker
     * hearing: it was counted lost while only slow).
     */
    private void heartbeat(WorkerSeen w) {
      List<TaskAttemptId> running = new ArrayList<>(w.running().size());
      for (String c : w.running()) {
        TaskAttemptId id = TaskAttemptId.parse(c);
        if (id != null) {
          running.add(id);
        }
      }
      session.scheduler.scheduler().heartbeat(w.workerId(), running, now());
      afterInput();
    }

    /**
     * Registers a worker that registered for this session; asks one that did not (it follows
     * this master from an earlier session) to register again: it then sends a registering
     * heartbeat and its recent final reports again, as to any new leader.
     */
    private void registerOrAsk(WorkerSeen w) {
      Long epoch = registeredFor.get(w.workerId());
      if (epoch != null && epoch == session.epoch) {
        register(w);
        return;
      }
      if (session.askedToRegister.add(w.workerId())) {
        log.info("master {}: worker {} follows an earlier scheduling session; asking it to "
            + "register again (term {})", settings.masterId(), w.workerId(), session.term);
      }
      w.replyTo().tell(new ClusterWire.NotLeader(settings.masterId(), session.term,
          settings.masterId(), settings.raftAddress()));
    }

    /**
     * A worker's first heartbeat in this session: its slots, and what it says it runs against
     * what the book says it runs.
     */
    private void register(WorkerSeen w) {
      Session s = session;
      s.registered.add(w.workerId());
      long now = now();
      var scheduler = s.scheduler.scheduler();
      // The book's attempts on this worker from before this session, listed before Register:
      // registering schedules new attempts here, which are not sent yet (so no heartbeat can
      // claim them) and must not be taken for lost ones.
      List<BookAttempt> before = new ArrayList<>();
      for (BookJob job : scheduler.book().jobs()) {
        for (BookAttempt a : job.runningAttempts()) {
          if (w.workerId().equals(a.workerId()) && !s.sentHere.contains(a.id())) {
            before.add(a);
          }
        }
      }
      // What it runs that the book ended is stopped first (a reduce started early would hold
      // its slot for good, and the book's idea of the free slots would be wrong meanwhile).
      List<TaskAttemptId> claimedIds = new ArrayList<>();
      for (String c : w.running()) {
        TaskAttemptId id = TaskAttemptId.parse(c);
        if (id != null) {
          claimedIds.add(id);
        }
      }
      scheduler.strays(w.workerId(), claimedIds, now);
      // The claimed ones take their slots in the same step as the registration, so nothing new
      // is scheduled onto slots they hold (the worker would refuse it, and the task run again).
      // A claimed attempt may have ended meanwhile: its final report follows the heartbeat.
      Set<String> claimed = new HashSet<>(w.running());
      List<TaskAttemptId> adopted = new ArrayList<>();
      for (BookAttempt a : before) {
        if (claimed.contains(a.id().toString())) {
          adopted.add(a.id());
        }
      }
      scheduler.adopt(new WorkerReport.Register(w.workerId(), w.host(), w.slots(), null),
          adopted, now);
      if (!adopted.isEmpty()) {
        log.info("worker {}: adopted {} running attempt(s) of the book: {}", w.workerId(),
            adopted.size(), adopted);
      }
      for (BookAttempt a : before) {
        if (!claimed.contains(a.id().toString())) {
          scheduler.report(new WorkerReport.AttemptKilled(a.id(), w.workerId(),
              "worker " + w.workerId() + " no longer runs it (it ended while no leader "
                  + "heard, or the worker restarted)"), now);
        }
      }
      afterInput();
    }

    /** The grace period is over: attempts on workers that never reported are lost. */
    private void giveUpUnclaimed() {
      var scheduler = session.scheduler.scheduler();
      long now = now();
      List<BookAttempt> lost = new ArrayList<>();
      for (BookJob job : scheduler.book().jobs()) {
        for (BookAttempt a : job.runningAttempts()) {
          if (!session.registered.contains(a.workerId()) && !session.sentHere.contains(a.id())) {
            lost.add(a);
          }
        }
      }
      if (!lost.isEmpty()) {
        log.info("master {}: takeover grace of term {} over ({} ms): {} attempt(s) on workers "
            + "that did not report are given up: {}", settings.masterId(), session.term,
            settings.grace().toMillis(), lost.size(), lost.stream().map(BookAttempt::id).toList());
      }
      for (BookAttempt a : lost) {
        scheduler.report(new WorkerReport.AttemptKilled(a.id(), a.workerId(), "worker "
            + a.workerId() + " did not report to the new leader within "
            + settings.grace().toMillis() + " ms"), now);
      }
      afterInput();
    }

    Behavior<Command> onWorkerLost(WorkerLost m) {
      workers.remove(m.workerId());
      registeredFor.remove(m.workerId());
      whenReady(() -> {
        session.registered.remove(m.workerId());
        session.scheduler.scheduler().workerGone(m.workerId(), now());
        afterInput();
      });
      return Behaviors.same();
    }

    /**
     * A worker's attempt message. A final report is acknowledged once the book has the attempt
     * ended: when the entry that records the end is applied, or, when the input changed nothing
     * (the book ended the attempt before, or knows neither it nor its job), once every entry
     * proposed before it is applied (the copy may be ahead of the book by those). A session that
     * ends first acknowledges nothing: the worker sends the report again to the next one.
     */
    Behavior<Command> onFromWorker(FromWorker m) {
      whenReady(() -> {
        if (m.message() instanceof CanCommit c) {
          session.commitAsks.put(c.attempt(), c.replyTo());
        }
        if (m.message() instanceof ClusterWire.AttemptProgress p) {
          settings.progress().report(p.attempt(), p.fraction());
        }
        Optional<LeaderWire.FinalReport> end = LeaderWire.finalReport(m.message());
        LeaderWire.report(m.message()).ifPresent(r -> {
          session.scheduler.scheduler().report(r, now());
          if (end.isEmpty()) {
            afterInput();
            return;
          }
          long term = session.term;
          afterInput(applied -> {
            if (applied) {
              acks.add(new Ack(term, end.get().workerId(), end.get().attempt()));
            }
          });
        });
      });
      sendAcks();
      return Behaviors.same();
    }

    /** Tells each worker which of its final reports the book has, one message per worker. */
    private void sendAcks() {
      if (acks.isEmpty()) {
        return;
      }
      Map<Ack, Set<TaskAttemptId>> byWorker = new LinkedHashMap<>();
      for (Ack a : acks) {
        byWorker.computeIfAbsent(new Ack(a.term(), a.workerId(), null),
            k -> new java.util.LinkedHashSet<>()).add(a.attempt()); // a report sent twice: once
      }
      acks.clear();
      byWorker.forEach((to, attempts) -> {
        WorkerSeen w = workers.get(to.workerId());
        // A worker not seen in this term (lost meanwhile) sends the report again to whoever
        // leads when it is back, and hears the ack then.
        if (w != null && w.term() == to.term()) {
          w.replyTo().tell(LeaderWire.ack(to.term(), settings.masterId(),
              List.copyOf(attempts)));
        }
      });
    }

    Behavior<Command> onSubmit(Submit m) {
      if (session == null) {
        m.replyTo().tell(new NotLeading("master " + settings.masterId() + " does not lead"));
        return Behaviors.same();
      }
      whenReady(() -> {
        // A master never loads a job's classes: a split of the job's own class stays bytes.
        List<InputSplit> splits = new ArrayList<>();
        for (BookSplit b : m.splits()) {
          splits.add(b.toTaskSplit());
        }
        String submission = SubmissionIds.of(m.spec());
        Optional<String> earlier = submission == null ? Optional.empty()
            : SubmissionIds.find(session.scheduler.scheduler().book(), submission);
        if (earlier.isPresent()) {
          // A repeat (the client lost the answer): the same job, once its entry is applied.
          log.info("submission {} sent again: it is {}", submission, earlier.get());
          afterInput(applied -> m.replyTo().tell(applied ? new SubmitAccepted(earlier.get())
              : new NotLeading("leadership changed before job " + earlier.get()
                  + " was accepted; submit again")));
          return;
        }
        String setupError = files.setupJob(m.spec());
        Outcome o = session.scheduler.scheduler().submit(m.spec(), splits, m.splits(), m.stored(),
            setupError, now());
        if (o instanceof Outcome.Rejected r) {
          m.replyTo().tell(new SubmitRefused(r.reason()));
          afterInput();
          return;
        }
        String jobId = ((Outcome.Applied) o).jobId();
        log.info("accepting {} ({}): {} map task(s), {} reduce task(s)", jobId, m.spec().name(),
            m.splits().size(), m.spec().reduceTasks());
        afterInput(applied -> m.replyTo().tell(applied ? new SubmitAccepted(jobId)
            : new NotLeading("leadership changed before job " + jobId + " was accepted; submit "
                + "again")));
      });
      return Behaviors.same();
    }

    Behavior<Command> onKill(Kill m) {
      if (session == null) {
        m.replyTo().tell(new NotLeading("master " + settings.masterId() + " does not lead"));
        return Behaviors.same();
      }
      whenReady(() -> {
        boolean killed = session.scheduler.scheduler().kill(m.jobId(), m.reason(), now());
        afterInput(applied -> m.replyTo().tell(applied ? new KillDone(killed)
            : new NotLeading("leadership changed before the kill of " + m.jobId()
                + " was applied; kill again")));
      });
      return Behaviors.same();
    }

    Behavior<Command> onRelayed(Relayed m) {
      Session s = session;
      if (s == null || s.epoch != m.epoch()) {
        return Behaviors.same(); // an earlier session's answer
      }
      if (m.reply() instanceof RaftNodeActor.ReadReply r && s.scheduler == null) {
        onRead(s, r);
        sendAcks(); // reports that came before the book was read, answered at once
      } else if (m.reply() instanceof RaftNodeActor.Applied a) {
        Long seq = s.inFlight.pollFirst();
        if (seq == null) {
          end("an entry was applied that this session did not propose");
          return Behaviors.same();
        }
        run(s.scheduler.applied(seq, a.result()));
        List<Consumer<Boolean>> done = s.waiting.remove(seq);
        if (done != null) {
          done.forEach(c -> c.accept(s.scheduler.broken() == null));
        }
        if (s.scheduler.broken() != null) {
          end(s.scheduler.broken());
        } else {
          afterInput();
        }
        sendAcks();
      } else if (m.reply() instanceof RaftNodeActor.ProposeReply other) {
        Long seq = s.inFlight.peekFirst();
        s.scheduler.failed(seq == null ? -1 : seq, other.toString());
        end("a proposal was not applied: " + other);
      }
      return Behaviors.same();
    }

    Behavior<Command> onCommitDone(CommitDone m) {
      if (session != null && session.epoch == m.epoch() && session.scheduler != null) {
        session.scheduler.scheduler().commitFinished(m.jobId(), m.endTime(), m.error(), now());
        afterInput();
        if (m.error() == null) {
          jobEnded(m.jobId());
        }
      }
      // Another session commits the job again (idempotently) from the book.
      return Behaviors.same();
    }

    // ---- split lists ------------------------------------------------------------------------

    /**
     * The book names a stored split list this leader does not hold in memory (a job accepted in
     * an earlier term): read it off the actor thread, from this master's store or another's. The
     * job's maps wait for it; everything else of the job (running attempts, reduces, commits)
     * goes on meanwhile.
     */
    private void loadMissingSplits() {
      Session s = session;
      long nanos = System.nanoTime();
      s.scheduler.scheduler().missingSplits().forEach((jobId, ref) -> {
        Long retry = s.splitsRetryNanos.get(jobId);
        if (s.loadingSplits.contains(jobId) || (retry != null && nanos < retry)) {
          return;
        }
        s.loadingSplits.add(jobId);
        long epoch = s.epoch;
        settings.splits().loadAsync(ref).whenComplete((list, err) -> ctx.getSelf().tell(
            new SplitsLoaded(epoch, jobId, list == null ? null : list.orElse(null),
                err != null ? String.valueOf(err.getCause() != null ? err.getCause() : err)
                    : list.isEmpty() ? "no master that answered holds it" : null)));
      });
    }

    Behavior<Command> onSplitsLoaded(SplitsLoaded m) {
      Session s = session;
      if (s == null || s.epoch != m.epoch() || s.scheduler == null) {
        return Behaviors.same(); // the next session reads the list again
      }
      s.loadingSplits.remove(m.jobId());
      if (m.splits() == null) {
        log.warn("job {}: its split list cannot be read yet ({}); trying again in {} s",
            m.jobId(), m.error(), SPLITS_RETRY.toSeconds());
        s.splitsRetryNanos.put(m.jobId(), System.nanoTime() + SPLITS_RETRY.toNanos());
        return Behaviors.same();
      }
      s.splitsRetryNanos.remove(m.jobId());
      s.scheduler.scheduler().splitsArrived(m.jobId(), m.splits(), now());
      afterInput();
      return Behaviors.same();
    }

    // ---- outputs ----------------------------------------------------------------------------

    /** Runs {@code input} now if the session has its book, else once it has. */
    private void whenReady(Runnable input) {
      if (session == null) {
        long term = leadingTerm();
        if (term == 0) {
          return; // not leading: workers find the leader from their heartbeats' answers
        }
        // Elected, and a worker told of it at once has registered and sent again the final
        // reports the last leader may have died with, before this actor's tick noticed:
        // dropped, those attempts would hold their slots until the task timeout.
        begin(term);
      }
      if (session.scheduler == null) {
        session.early.add(input);
      } else {
        input.run();
      }
    }

    private void afterInput() {
      afterInput(null);
    }

    /** Proposes what the last input changed; {@code onApplied} hears whether it was applied. */
    private void afterInput(Consumer<Boolean> onApplied) {
      Session s = session;
      Optional<LeaderScheduler.Proposal> p = s.scheduler.afterInput(this::run);
      if (p.isEmpty()) {
        if (onApplied != null) {
          if (s.inFlight.isEmpty()) {
            onApplied.accept(true);
          } else {
            s.waiting.computeIfAbsent(s.inFlight.peekLast(), k -> new ArrayList<>())
                .add(onApplied);
          }
        }
        s.scheduler.scheduler().drainJobViews();
        return;
      }
      long seq = p.get().seq();
      s.inFlight.addLast(seq);
      if (onApplied != null) {
        s.waiting.computeIfAbsent(seq, k -> new ArrayList<>()).add(onApplied);
      }
      settings.raft().tell(new RaftNodeActor.Propose(p.get().entry(), s.relay.narrow()));
      // Views come from the replicated book on every master (BookViews), not from this copy.
      s.scheduler.scheduler().drainJobViews();
    }

    /** Carries out effects whose entries are applied. */
    private void run(List<Effect> effects) {
      Session s = session;
      for (Effect e : effects) {
        Optional<LeaderWire.ToWorker> message = LeaderWire.message(e, s.term,
            settings.masterId());
        if (message.isPresent()) {
          WorkerSeen w = workers.get(message.get().workerId());
          if (w != null) {
            w.replyTo().tell(message.get().message());
          }
          if (e instanceof Effect.RunTask r) {
            s.sentHere.add(r.spec().id());
            if (!s.assigned) {
              s.assigned = true;
              log.info("master {} sends its first attempt of term {}, {} to worker {}, {} ms "
                  + "after the session began", settings.masterId(), s.term, r.spec().id(),
                  message.get().workerId(), (System.nanoTime() - s.startedNanos) / 1_000_000);
            }
          }
        } else if (e instanceof Effect.AnswerCommit a) {
          ActorRef<ToWorker> asker = s.commitAsks.remove(a.answer().attempt());
          if (asker != null) {
            asker.tell(LeaderWire.answer(a, s.term, settings.masterId()));
          }
        } else if (e instanceof Effect.AbortJob a) {
          files.abortJob(a.jobId(), a.outputPath(), spec(a.jobId()));
        } else if (e instanceof Effect.CleanUp c) {
          files.cleanUp(c.jobId(), c.outputPath(), spec(c.jobId()));
          jobEnded(c.jobId());
        } else if (e instanceof Effect.CommitJob c) {
          long epoch = s.epoch;
          s.commits.removeIf(java.util.concurrent.Future::isDone);
          s.commits.add(files.commitJob(c, spec(c.jobId()), settings.clock(), (end, error) ->
              ctx.getSelf().tell(new CommitDone(epoch, c.jobId(), end, error))));
        }
      }
    }

    /** Every worker drops the job's scratch (a worker that missed it keeps it until restart). */
    private void jobEnded(String jobId) {
      ClusterWire.JobEnded message = new ClusterWire.JobEnded(session.term, settings.masterId(),
          jobId);
      workers.values().forEach(w -> w.replyTo().tell(message));
    }

    private JobSpec spec(String jobId) {
      BookJob job = session.scheduler.scheduler().book().job(jobId);
      return job == null ? null : job.spec();
    }

    private long now() {
      return settings.clock().millis();
    }
  }
}
