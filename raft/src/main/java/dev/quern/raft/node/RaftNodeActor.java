package dev.quern.raft.node;

import com.typesafe.config.Config;
import dev.quern.raft.ConfChange;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryTooLargeException;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Message;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftCore;
import dev.quern.raft.ReadState;
import dev.quern.raft.Ready;
import dev.quern.raft.Role;
import dev.quern.raft.Snapshot;
import dev.quern.raft.SoftState;
import dev.quern.raft.StateMachine;
import dev.quern.raft.UncommittedLimitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The Pekko typed actor that drives one {@link RaftCore}: a timer turns into ticks, peers' messages
 * arrive as {@link Inbound} over Artery, and every input is followed by the Ready loop — send the
 * leader's appends, persist (and sync) through {@link RaftPersistence}, then send the rest, then apply
 * to the {@link StateMachine}, then advance. The actor is the only thread that touches the core, the store and the state machine.
 *
 * <p>Peers are named by actor path ({@code pekko://master@127.0.0.1:25520/user/raft}); only
 * {@link Inbound} leaves the JVM. {@link Propose} and {@link GetStatus} are for actors in the same
 * system (the HTTP layer and the scheduler), which forward to the leader themselves.
 */
public final class RaftNodeActor {

  private RaftNodeActor() {
  }

  /** Everything the actor accepts. */
  public sealed interface Command permits Inbound, Propose, Read, ChangeMembership, GetStatus,
      TransferLeadership, Tick, Flush, SnapshotWritten {
  }

  /** A Raft message from a peer. */
  public record Inbound(Message message) implements Command, RaftWire {
  }

  /**
   * Appends {@code command} to the log if this node leads; the answer comes when it is applied. A
   * follower forwards it to its leader ({@link RaftConfig#forwardToLeader()}, on by default) and
   * answers when it applies the command itself; see {@link ForwardedRequests} for how it tells.
   */
  public record Propose(byte[] command, ActorRef<ProposeReply> replyTo) implements Command {
  }

  /**
   * Proposes a single-server membership change at the leader (not forwarded). An added member's
   * {@link ConfChange#address()} is where every node will send its messages (an actor path this
   * system can resolve). Answers {@code Applied(index, null)} once this node applies the change,
   * {@code NotLeader}, {@code Dropped}, or {@code RetryLater(reason)} if the leader refuses it (a
   * change is pending, the leader has not yet committed in its term, the change is invalid, or the
   * address cannot be resolved).
   */
  public record ChangeMembership(ConfChange change, ActorRef<ProposeReply> replyTo) implements Command {
  }

  public sealed interface ProposeReply permits Applied, NotLeader, Dropped, RetryLater, TooLarge {
  }

  /**
   * A linearizable read: once this node has confirmed it still leads (ReadIndex) and has applied
   * up to the read's index, {@code query} runs on the actor's thread against the state machine. A
   * follower asks its leader for the read index instead ({@link RaftConfig#forwardToLeader()}) and
   * runs the query once it has applied up to it; it answers {@code NotLeader} if the leader changes
   * or does not answer within two election timeouts.
   */
  public record Read(Function<StateMachine, byte[]> query, ActorRef<ReadReply> replyTo) implements Command {
  }

  public sealed interface ReadReply permits ReadResult, NotLeader {
  }

  /** The query's answer, reflecting at least every command applied anywhere before the read was sent. */
  public record ReadResult(long index, byte[] value) implements ReadReply {
  }

  /** The command was committed and applied at {@code index}; {@code result} is the state machine's answer. */
  public record Applied(long index, byte[] result) implements ProposeReply {
  }

  /** This node does not lead; try {@code leaderHint} ({@link RaftCore#NONE} if unknown). */
  public record NotLeader(long leaderHint) implements ProposeReply, ReadReply {
  }

  /**
   * This node cannot tell the outcome: another leader's entry took the command's index, or a
   * snapshot from the leader covered it. Retry; with {@link dev.quern.raft.DedupStateMachine}
   * a retry is applied at most once, and answers with the first result if the command did apply.
   */
  public record Dropped(long index) implements ProposeReply {
  }

  /**
   * The leader holds as many uncommitted bytes as it may ({@link RaftConfig#maxUncommittedBytes()});
   * the command was not appended. Retry later (here: the group is busy or has lost its majority).
   */
  public record RetryLater(String reason) implements ProposeReply {
  }

  /** The command exceeds {@link RaftConfig#maxEntryBytes()}; it was not appended and never will be. */
  public record TooLarge(int bytes, int maxBytes) implements ProposeReply {
  }

  public record GetStatus(ActorRef<Status> replyTo) implements Command {
  }

  public record Status(long id, long term, Role role, long leader, long commitIndex, long appliedIndex) {
  }

  public record TransferLeadership(long target) implements Command {
  }

  enum Tick implements Command {
    INSTANCE
  }

  /**
   * Handle the Ready now. Inputs only schedule this (once): everything already in the mailbox is
   * stepped first, so proposals that arrive together share one append per follower and one sync
   * (group commit).
   */
  enum Flush implements Command {
    INSTANCE
  }

  /** A snapshot written on the {@link SnapshotTaker}'s thread, or its failure; {@code by} is the taker. */
  private record SnapshotWritten(SnapshotTaker by, SnapshotTaker.Written written, Throwable failure)
      implements Command {
  }

  /**
   * @param config          the core's configuration (its id is this node's id)
   * @param tickInterval    real time per tick (election timeout = electionTicks to 2x that many ticks)
   * @param peers           actor paths of the other members, by node id, as the node starts: a member's
   *                        address in the configuration ({@link ConfChange#address()}) takes precedence,
   *                        so a member added later needs no entry here; a node that joins a running
   *                        group needs the address of at least its leader-to-be (see {@link PeerDirectory});
   *                        a founder whose {@code peers} names every founding voter, itself included,
   *                        writes their addresses into the founding entries (give every founder the same)
   * @param bootstrapVoters the founding voters if this node founds a new group with empty storage;
   *                        empty for a node that joins an existing group or restarts
   * @param seed            seeds the election timeout randomness
   * @param snapshotEvery   take a state machine snapshot after this many applied entries (0 = never)
   * @param monitor         where the node publishes its status and metrics for other threads to read
   */
  public record Settings(RaftConfig config, Duration tickInterval, Map<Long, String> peers,
               List<Long> bootstrapVoters, long seed, int snapshotEvery, RaftMonitor monitor) {

    /** With a monitor of its own ({@code settings.monitor()} reads it). */
    public Settings(RaftConfig config, Duration tickInterval, Map<Long, String> peers,
            List<Long> bootstrapVoters, long seed, int snapshotEvery) {
      this(config, tickInterval, peers, bootstrapVoters, seed, snapshotEvery, new RaftMonitor());
    }
  }

  /** The node's behavior; a fatal storage failure stops the process ({@link FatalHandler#haltProcess()}). */
  public static Behavior<Command> create(Settings settings, Supplier<RaftPersistence> storage,
                       Supplier<StateMachine> stateMachines) {
    return create(settings, storage, stateMachines, FatalHandler.haltProcess());
  }

  /**
   * The node's behavior. If handling anything throws (a storage error, say), the actor restarts with
   * back-off and rebuilds everything from storage — what a crashed master would do: {@code storage}
   * is asked to open the store again and {@code stateMachines} for an empty state machine, which
   * is restored from the snapshot and then re-applies the committed log. Restarting keeps the
   * actor's identity; stopping it and spawning a new one under the same name would not work,
   * because Artery on the receiving side caches the resolved recipient by path, so peers' messages
   * would keep going to the dead incarnation.
   *
   * <p>Except when storage cannot be trusted: any failure of {@link RaftPersistence#sync()}, or a
   * {@link FatalStorageException} (a failed fsync, a damaged log on open). Re-reading the store
   * after a failed fsync could show pages the kernel never wrote, so a restart could acknowledge
   * what is lost. Then {@code fatal} is told (before any message of the failed Ready is sent) and
   * the actor stops for good.
   */
  public static Behavior<Command> create(Settings settings, Supplier<RaftPersistence> storage,
                       Supplier<StateMachine> stateMachines, FatalHandler fatal) {
    Behavior<Command> node = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      // Fixed delay, not fixed rate: a fixed-rate timer replays every firing missed during a stall
      // (a GC pause) at once; TickGate drops what still comes in a burst.
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tickInterval());
      return new Driver(ctx, settings, () -> observed(settings, storage.get()), stateMachines, fatal)
          .behavior();
    }));
    Behavior<Command> failStop = Behaviors.supervise(node).onFailure(FatalStorageException.class,
        SupervisorStrategy.stop());
    Behavior<Command> supervised = Behaviors.supervise(failStop).onFailure(Exception.class,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(50), Duration.ofSeconds(5), 0.2));
    // Outside the supervisor: a configuration whose appends cannot cross Artery stops the actor at
    // once (restarting would not help), instead of sending an append that is dropped forever.
    return Behaviors.setup(ctx -> {
      checkFitsFrame(settings.config(), ctx.getSystem().settings().config());
      return supervised;
    });
  }

  private static void checkFitsFrame(RaftConfig config, Config system) {
    String provider = system.getString("pekko.actor.provider");
    boolean local = provider.equals("local") || provider.endsWith(".LocalActorRefProvider");
    if (!local && system.hasPath(RaftWire.FRAME_SIZE_PATH)) {
      RaftWire.checkFitsFrame(config, system.getBytes(RaftWire.FRAME_SIZE_PATH));
    }
  }

  /** Every sync timed, every snapshot saved or installed counted and logged (see {@link ObservedPersistence}). */
  private static RaftPersistence observed(Settings settings, RaftPersistence store) {
    return new ObservedPersistence(store, settings.monitor().metrics(), settings.config().id());
  }

  /**
   * The founders' addresses for their ADD_VOTER entries: {@code peers} when it names every
   * founding voter (this node included), so that a node added later learns them from the log;
   * else none, as every founder must write the same entries.
   */
  static Map<Long, String> bootstrapAddresses(Settings settings) {
    if (!settings.peers().keySet().containsAll(settings.bootstrapVoters())) {
      return Map.of();
    }
    Map<Long, String> addresses = new TreeMap<>();
    settings.bootstrapVoters().forEach(v -> addresses.put(v, settings.peers().get(v)));
    return addresses;
  }

  private record PendingProposal(long term, ActorRef<ProposeReply> replyTo) {
  }

  /** The per-actor state; only ever called from the actor's message handler. */
  private static final class Driver {
    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final RaftPersistence store;
    private final StateMachine stateMachine;
    private final RaftCore core;
    private final NodeObserver observer;
    private final PeerDirectory peers;
    private final ForwardedRequests forwarded;
    private final TreeMap<Long, PendingProposal> pending = new TreeMap<>();
    /** Reads waiting for the leadership check, by context. */
    private final Map<Long, Read> readsUnconfirmed = new HashMap<>();
    /** Confirmed reads waiting for the state machine to reach their index. */
    private final List<Map.Entry<Long, Read>> readsConfirmed = new ArrayList<>();
    private long nextReadContext = 1;
    private boolean flushScheduled;
    private final TickGate tickGate;
    private SoftState lastSoftState;
    private final FatalHandler fatal;
    private final SnapshotTaker snapshots;
    private final SnapshotSender snapshotSender;
    private final SnapshotInbox snapshotInbox;
    /** Entry bytes applied since the last snapshot was started (compaction by size). */
    private long bytesSinceSnapshot;

    Driver(ActorContext<Command> ctx, Settings settings, Supplier<RaftPersistence> storage,
        Supplier<StateMachine> stateMachines, FatalHandler fatal) {
      this.ctx = ctx;
      this.settings = settings;
      this.fatal = fatal;
      this.tickGate = new TickGate(settings.tickInterval().toNanos());
      PersistentState stored;
      try {
        this.store = storage.get();
        stored = store.load();
      } catch (FatalStorageException e) {
        throw die("opening storage", e);
      }
      this.stateMachine = stateMachines.get();
      SplittableRandom random = new SplittableRandom(settings.seed());
      boolean fresh = stored.hardState().equals(HardState.EMPTY) && stored.entries().isEmpty()
          && stored.snapshot().isEmpty();
      if (fresh && !settings.bootstrapVoters().isEmpty()) {
        core = RaftCore.bootstrap(settings.config(), settings.bootstrapVoters(),
            bootstrapAddresses(settings), random);
      } else {
        // The core keeps a snapshot's metadata only: the data lives in the store, which streams it.
        core = new RaftCore(settings.config(), new PersistentState(stored.hardState(),
            withoutData(stored.snapshot()), stored.entries()), random);
      }
      observer = new NodeObserver(core, settings.monitor());
      core.setEvents(observer);
      if (!stored.snapshot().isEmpty()) {
        stateMachine.restore(stored.snapshot().data());
      }
      peers = new PeerDirectory(ActorRefResolver.get(ctx.getSystem()), settings.peers());
      forwarded = new ForwardedRequests(2L * settings.config().electionTicks(),
          ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2));
      long self = settings.config().id();
      snapshots = new SnapshotTaker(self);
      snapshotSender = new SnapshotSender(self, settings.config().snapshotChunkBytes(),
          settings.config().snapshotInflightBytes(), store::openSnapshot, this::sendOne,
          bytes -> settings.monitor().metrics().add(RaftMetrics.Counter.SNAPSHOT_BYTES_SENT, bytes));
      snapshotInbox = new SnapshotInbox(self, store::receiveSnapshot, this::sendOne,
          why -> NodeObserver.LOG.warn("raft node {}: {}", self, why));
      handleReady();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Flush.INSTANCE, () -> {
            flushScheduled = false;
            return handleReady();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            if (!tickGate.admit(System.nanoTime())) {
              return Behaviors.same(); // a missed firing replayed after a stall (see TickGate)
            }
            core.tick();
            observer.ticked();
            for (long context : forwarded.tick()) {
              Read r = readsUnconfirmed.remove(context);
              if (r != null) {
                r.replyTo().tell(new NotLeader(core.leader()));
              }
            }
            return scheduleFlush();
          })
          .onMessage(Inbound.class, m -> {
            Message msg = m.message();
            observer.received(msg);
            if (msg instanceof Message.ProposeResponse r) {
              trackForwarded(forwarded.answered(r));
            }
            if (msg instanceof Message.InstallSnapshot chunk) {
              Message.InstallSnapshot whole = snapshotInbox.chunk(chunk, core);
              if (whole == null) {
                return Behaviors.same();
              }
              core.step(whole);
              return handleReady(); // installs the verified file the inbox holds now
            }
            if (msg instanceof Message.InstallSnapshotResponse r) {
              snapshotSender.acknowledged(r);
            } else if (msg instanceof Message.SnapshotDone) {
              snapshotSender.done(msg.from());
            }
            core.step(msg);
            return scheduleFlush();
          })
          .onMessage(SnapshotWritten.class, this::snapshotWritten)
          .onSignal(PreRestart.class, signal -> close())
          .onSignal(PostStop.class, signal -> close())
          .onMessage(Propose.class, p -> {
            long index;
            long id = forwarded.nextId();
            try {
              index = core.proposeOrForward(p.command(), id);
            } catch (EntryTooLargeException e) {
              observer.proposalRefused("a command larger than maxEntryBytes (" + e.limit() + ")");
              p.replyTo().tell(new TooLarge(e.size(), e.limit()));
              return Behaviors.same();
            } catch (UncommittedLimitException e) {
              observer.proposalRefused("maxUncommittedBytes are uncommitted (retry later)");
              p.replyTo().tell(new RetryLater(e.getMessage()));
              return Behaviors.same();
            }
            if (index == RaftCore.FORWARDED) {
              forwarded.proposalForwarded(id, core.leader(), p.replyTo());
            } else if (index == 0) {
              observer.proposalRefused();
              p.replyTo().tell(new NotLeader(core.leader()));
            } else {
              observer.proposed(index);
              pending.put(index, new PendingProposal(core.term(), p.replyTo()));
            }
            return scheduleFlush();
          })
          .onMessage(Read.class, r -> {
            long context = nextReadContext++;
            if (!core.readIndexOrForward(context)) {
              r.replyTo().tell(new NotLeader(core.leader()));
              return Behaviors.same();
            }
            if (!core.isLeader()) {
              forwarded.readForwarded(context);
            }
            readsUnconfirmed.put(context, r);
            return scheduleFlush();
          })
          .onMessage(ChangeMembership.class, this::changeMembership)
          .onMessage(GetStatus.class, g -> {
            g.replyTo().tell(new Status(core.id(), core.term(), core.role(), core.leader(),
                core.commitIndex(), core.appliedIndex()));
            return Behaviors.same();
          })
          .onMessage(TransferLeadership.class, t -> {
            if (core.transferLeadership(t.target())) {
              NodeObserver.LOG.info("raft node {} hands leadership of term {} to node {}",
                  core.id(), core.term(), t.target());
            }
            return scheduleFlush();
          })
          .build();
    }

    private Behavior<Command> close() {
      snapshots.close();
      snapshotSender.cancelAll();
      snapshotInbox.close();
      return Behaviors.same();
    }

    private static Snapshot withoutData(Snapshot s) {
      return s.isEmpty() ? s : new Snapshot(s.index(), s.term(), s.membership(), null);
    }

    private Behavior<Command> scheduleFlush() {
      if (!flushScheduled) {
        flushScheduled = true;
        ctx.getSelf().tell(Flush.INSTANCE);
      }
      return Behaviors.same();
    }

    private Behavior<Command> handleReady() {
      while (core.hasReady()) {
        Ready rd = core.ready();
        // The leader's appends go out before its own fsync, so the followers' fsyncs overlap it.
        sendAll(rd.messagesBeforePersist());
        SnapshotSink.Received received = null;
        try {
          if (rd.snapshot() != null) {
            received = snapshotInbox.take(rd.snapshot());
            if (received == null) {
              throw new IllegalStateException("the core installs snapshot " + rd.snapshot()
                  + " that was not received in full");
            }
            store.installSnapshot(received.snapshot(), received.file());
          }
          store.append(rd.entries());
          if (rd.hardState() != null) {
            store.saveHardState(rd.hardState());
          }
        } catch (FatalStorageException e) {
          throw die("writing", e);
        }
        // Committed entries are durable on a majority whatever this node's own write of the Ready's new
        // entries does, so they are applied and answered before that write's fsync (as etcd's server
        // applies beside its WAL save): under steady load a commit does not wait for the next
        // batch's fsync too. Not in a Ready that installs a snapshot: those entries follow it.
        boolean appliedEarly = received == null;
        if (appliedEarly) {
          apply(rd.committedEntries());
        }
        if (rd.mustSync()) {
          sync(); // before any message: a vote or an ack promises what is on disk
        }
        sendAll(rd.messages());
        if (received != null) {
          stateMachine.restore(received.snapshot().data());
          dropPendingUpTo(rd.snapshot().index());
          bytesSinceSnapshot = 0;
        }
        if (!appliedEarly) {
          apply(rd.committedEntries());
        }
        for (ReadState rs : rd.readStates()) {
          Read r = readsUnconfirmed.remove(rs.context());
          forwarded.readAnswered(rs.context());
          if (r != null) {
            readsConfirmed.add(Map.entry(rs.index(), r));
          }
        }
        core.advance(rd);
        observer.handled(rd); // logs leader changes, counts commits and applies
        serveReads();
        if (!rd.softState().equals(lastSoftState)) {
          lastSoftState = rd.softState();
          forwarded.leaderChanged(rd.softState().leader());
          if (rd.softState().role() != Role.LEADER) {
            // The core dropped its unconfirmed reads when it lost leadership.
            readsUnconfirmed.values().forEach(r -> r.replyTo().tell(new NotLeader(core.leader())));
            readsUnconfirmed.clear();
            snapshotSender.cancelAll();
          }
        }
      }
      maybeSnapshot(); // also after a snapshot was written, when there may be no Ready
      snapshotInbox.discardCompleted(); // received, but the core had that far already
      observer.publishIfDue();
      return Behaviors.same();
    }

    /** Applies committed entries in order and answers the proposals waiting for them. */
    private void apply(List<Entry> committed) {
      for (Entry e : committed) {
        byte[] result = e.type() == EntryType.NORMAL ? stateMachine.apply(e.data()) : null;
        bytesSinceSnapshot += e.size();
        PendingProposal p = pending.remove(e.index());
        if (p != null) {
          p.replyTo().tell(p.term() == e.term() ? new Applied(e.index(), result) : new Dropped(e.index()));
        }
      }
    }

    /**
     * Registers a command the leader took for a forward; it is answered like a local proposal when
     * this node applies its index. An index already applied is past telling (the answer came late):
     * {@code Dropped}, never a guess.
     */
    private void trackForwarded(ForwardedRequests.Accepted a) {
      if (a == null) {
        return;
      }
      if (a.index() <= core.appliedIndex()) {
        a.replyTo().tell(new Dropped(a.index()));
        return;
      }
      PendingProposal other = pending.put(a.index(), new PendingProposal(a.term(), a.replyTo()));
      if (other != null && other.term() != a.term()) {
        // A leader of a later term appended at this index, so the earlier entry there never commits.
        other.replyTo().tell(new Dropped(a.index()));
      }
    }

    private Behavior<Command> changeMembership(ChangeMembership c) {
      String address = c.change().address();
      if (!address.isEmpty() && peers.resolveOrNull(address) == null) {
        c.replyTo().tell(new RetryLater("membership change refused: cannot resolve address " + address));
        return Behaviors.same();
      }
      long index = core.proposeConfChange(c.change());
      if (index == 0) {
        c.replyTo().tell(core.isLeader()
            ? new RetryLater("membership change refused: another change is pending, the leader has not committed"
                + " in its term, a transfer is under way, or the change is invalid for " + core.membership())
            : new NotLeader(core.leader()));
        return Behaviors.same();
      }
      pending.put(index, new PendingProposal(core.term(), c.replyTo()));
      return scheduleFlush();
    }

    private void sendAll(List<Message> messages) {
      if (!messages.isEmpty()) {
        peers.update(core.membership());
      }
      for (Message m : messages) {
        if (m instanceof Message.InstallSnapshot request) {
          snapshotSender.request(request); // the core holds no data: the sender streams the file
        } else {
          sendOne(m);
        }
      }
    }

    private void sendOne(Message m) {
      ActorRef<Command> peer = peers.ref(m.to());
      if (peer != null) {
        peer.tell(new Inbound(m));
      }
    }

    private void serveReads() {
      var it = readsConfirmed.iterator();
      while (it.hasNext()) {
        Map.Entry<Long, Read> e = it.next();
        if (core.appliedIndex() >= e.getKey()) {
          it.remove();
          e.getValue().replyTo().tell(new ReadResult(e.getKey(), e.getValue().query().apply(stateMachine)));
        }
      }
    }

    private void dropPendingUpTo(long index) {
      while (!pending.isEmpty() && pending.firstKey() <= index) {
        var e = pending.pollFirstEntry();
        e.getValue().replyTo().tell(new Dropped(e.getKey()));
      }
    }

    /**
     * Starts a snapshot once {@code snapshotEvery} entries or {@code snapshotAfterBytes} bytes were
     * applied since the last one: the core's metadata and the state machine's frozen image here,
     * the encoding and the file on the taker's thread ({@link #snapshotWritten} goes on).
     */
    private void maybeSnapshot() {
      if (snapshots.running()) {
        return;
      }
      int every = settings.snapshotEvery();
      long bytes = settings.config().snapshotAfterBytes();
      long applied = core.appliedIndex();
      boolean byCount = every > 0 && applied - core.snapshot().index() >= every;
      boolean bySize = bytes > 0 && bytesSinceSnapshot >= bytes && applied > core.snapshot().index();
      if (!byCount && !bySize) {
        return;
      }
      bytesSinceSnapshot = 0;
      Snapshot meta = core.snapshotAt(applied, null);
      SnapshotTaker taker = snapshots;
      ctx.pipeToSelf(snapshots.start(meta, stateMachine.snapshotImage(), store),
          (written, failure) -> new SnapshotWritten(taker, written, failure));
    }

    /** The file is durable: record the snapshot in the core, then rename it into place and compact the log. */
    private Behavior<Command> snapshotWritten(SnapshotWritten w) {
      if (w.by() != snapshots) {
        return Behaviors.same(); // an earlier incarnation's; its temp file goes at the next open
      }
      snapshots.finished();
      if (w.failure() != null) {
        Throwable cause = w.failure().getCause() != null ? w.failure().getCause() : w.failure();
        if (cause instanceof FatalStorageException f) {
          throw die("writing a snapshot", f);
        }
        throw new IllegalStateException("writing a snapshot failed", cause); // restart and retry
      }
      Snapshot s = w.written().snapshot();
      if (s.index() <= core.snapshot().index()) {
        deleteQuietly(w.written().written()); // a leader's newer snapshot came in meanwhile
        return Behaviors.same();
      }
      core.createSnapshot(s.index(), null);
      try {
        store.saveSnapshot(s, w.written().written());
      } catch (FatalStorageException e) {
        throw die("saving a snapshot", e);
      }
      sync();
      return scheduleFlush();
    }

    private static void deleteQuietly(Path file) {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // a leftover temp file is deleted by the next open
        }
      }
    }

    /** Any failure of a sync is fatal: after a failed fsync nobody can say what is on disk. */
    private void sync() {
      try {
        store.sync();
      } catch (RuntimeException e) {
        throw die("fsync", e);
      }
    }

    /** Tells the fatal handler (which normally ends the process); the exception then stops the actor. */
    private FatalStorageException die(String what, RuntimeException e) {
      String message = "raft node " + settings.config().id() + ": " + what + " failed: " + e.getMessage();
      FatalStorageException f = e instanceof FatalStorageException x ? x : new FatalStorageException(message, e);
      fatal.fatal(message, f);
      return f;
    }
  }
}
