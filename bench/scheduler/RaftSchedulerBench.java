import dev.quern.master.cluster.LeaderScheduler;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobJournal;
import dev.quern.master.engine.Scheduler;
import dev.quern.master.engine.SchedulerSettings;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Message;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Ready;
import dev.quern.raft.node.InMemoryRaftPersistence;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The cluster leader's scheduling work with its Raft work, in the same simulation of workers as
 * {@link SchedulerBench}: the {@link LeaderScheduler} (the cluster's {@link Scheduler}, settings
 * {@code CLUSTER}) turns what each input changed into one batch entry, which the leader's
 * {@link RaftCore} appends and replicates to two followers (three cores in one thread, virtual
 * time: a tick every 100 ms, every message delivered after {@code LATENCY_MS}); every node applies
 * it to its own {@link JobBookMachine}, and the leader's effects (starts sent to workers, commit
 * answers) are carried out only once the entry is applied on the leader, as {@code JobLeader}
 * does. Every node persists to memory and takes a snapshot of its book every 10,000 entries (the
 * masters' default).
 *
 * <p>Leader CPU is this thread's CPU time around every call made for the leader: the scheduler's
 * calls (as in {@link SchedulerBench}), the {@link LeaderScheduler}'s, and the leader core's
 * ticks, steps, Ready handling (persist, apply to its book, advance) and snapshots. The followers'
 * work runs on the same thread but outside the clock. Not counted either: the actors, the wire
 * (serialisation, sockets), the WAL's writes and fsyncs, and the master's views of the book
 * (a real master's {@code BookViews} listener); so this is a floor of the leader's CPU.
 *
 * <p>Modes: {@code raft} as above; {@code pure} the same {@code CLUSTER} scheduler with its
 * effects drained at once (no Raft), for the comparison in the same run.
 *
 * <p>Usage: {@code java -cp CP RaftSchedulerBench MODE SHAPE WORKERS TASKS [SEED]}
 */
public final class RaftSchedulerBench extends SchedulerBench {
  private static final long TICK_MS = 100;
  private static final long LATENCY_MS = 1;
  private static final long SNAPSHOT_EVERY = 10_000;

  private final class Node {
    final long id;
    final RaftCore core;
    final InMemoryRaftPersistence store = new InMemoryRaftPersistence();
    final JobBookMachine machine = new JobBookMachine();
    long lastSnapshot;

    Node(long id, List<Long> voters) {
      this.id = id;
      RaftConfig config = RaftConfig.builder(id).electionTicks(10).heartbeatTicks(1)
          .maxEntriesPerMessage(256).compactionMargin(1000).forwardToLeader(false)
          .maxEntryBytes(maxEntryBytes)
          .maxBytesPerMessage(Math.max(128 * 1024, maxEntryBytes + 1024))
          .maxInflightBytes(Math.max(1L << 20, 2L * maxEntryBytes + 2048))
          .maxUncommittedBytes(Math.max(8L << 20, 2L * maxEntryBytes)).build();
      this.core = RaftCore.bootstrap(config, voters, new SplittableRandom(seed * 31 + id));
    }
  }

  private record Delivery(long time, long seq, Message message) {}

  private final boolean raft;
  private final long seed;
  private final int maxEntryBytes;
  private final TreeMap<Long, Node> nodes = new TreeMap<>();
  private final PriorityQueue<Delivery> network = new PriorityQueue<>(
      (a, b) -> a.time() != b.time() ? Long.compare(a.time(), b.time())
          : Long.compare(a.seq(), b.seq()));
  private long sendSeq;
  private long nextTick;
  private Node leader;
  private LeaderScheduler leaderScheduler;
  /** The leader's proposals in flight: its raft index, and the LeaderScheduler's seq. */
  private final Deque<long[]> inFlight = new ArrayDeque<>();
  private long raftCpuNs;
  private long snapshotCpuNs;
  private long entries;
  private long entryBytes;
  private long largestEntry;
  private long messages;
  private long simNow;

  private RaftSchedulerBench(boolean raft, long seed, int maxEntryBytes, Scheduler scheduler) {
    super(seed, scheduler);
    this.raft = raft;
    this.seed = seed;
    this.maxEntryBytes = maxEntryBytes;
  }

  public static void main(String[] args) {
    String mode = args[0];
    String shape = args[1];
    int workers = Integer.parseInt(args[2]);
    int tasks = Integer.parseInt(args[3]);
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 42;
    int maxEntryBytes = Integer.getInteger("maxEntryBytes", 64 * 1024);
    RaftSchedulerBench b;
    if (mode.equals("raft")) {
      b = electAndBuild(seed, maxEntryBytes);
    } else if (mode.equals("pure")) {
      b = new RaftSchedulerBench(false, seed, maxEntryBytes, new Scheduler(new JobBook(),
          Path.of("/scratch"), new JobJournal(), SchedulerSettings.CLUSTER));
    } else {
      throw new IllegalArgumentException("mode must be raft or pure: " + mode);
    }
    long wholeStart = b.cpu.getCurrentThreadCpuTime();
    long end = b.run(shape, workers, tasks);
    long whole = b.cpu.getCurrentThreadCpuTime() - wholeStart;
    b.print(shape, workers, tasks, end, whole);
  }

  /** Elects a leader among three empty cores, then builds the leader's scheduler from its book. */
  private static RaftSchedulerBench electAndBuild(long seed, int maxEntryBytes) {
    // The scheduler comes from the leader's book, which exists only once the group has elected;
    // a bootstrap object runs the election and hands its nodes over.
    RaftSchedulerBench boot = new RaftSchedulerBench(true, seed, maxEntryBytes,
        new Scheduler(new JobBook(), Path.of("/scratch"), new JobJournal()));
    boot.startGroup();
    LeaderScheduler ls = new LeaderScheduler(boot.leader.machine.book(), Path.of("/scratch"));
    RaftSchedulerBench b = new RaftSchedulerBench(true, seed, maxEntryBytes, ls.scheduler());
    b.nodes.putAll(boot.nodes);
    b.network.addAll(boot.network);
    b.sendSeq = boot.sendSeq;
    b.nextTick = boot.nextTick;
    b.simNow = boot.simNow;
    b.leader = boot.leader;
    b.leaderScheduler = ls;
    return b;
  }

  private void startGroup() {
    List<Long> voters = List.of(1L, 2L, 3L);
    for (long id : voters) {
      nodes.put(id, new Node(id, voters));
    }
    // Ticks and deliveries until a leader has applied the first entry of its term.
    while (leader == null) {
      long t = Math.min(nextTick, network.isEmpty() ? Long.MAX_VALUE : network.peek().time());
      step(t);
      for (Node n : nodes.values()) {
        if (n.core.isLeader() && n.core.appliedIndex() >= n.core.lastIndex()
            && n.core.lastIndex() > 0) {
          leader = n;
        }
      }
    }
  }

  // ---- the hooks --------------------------------------------------------------------------------

  @Override
  protected void start() {
    if (raft) {
      timed(() -> leaderScheduler.takeOver(simNow));
      afterInput(simNow);
    }
  }

  @Override
  protected void afterInput(long now) {
    if (!raft) {
      super.afterInput(now);
      return;
    }
    simNow = Math.max(simNow, now);
    List<Effect> runNow = new ArrayList<>();
    long t0 = cpu.getCurrentThreadCpuTime();
    leaderScheduler.afterInput(runNow::addAll).ifPresent(p -> {
      long index = leader.core.propose(p.entry());
      if (index <= 0) {
        throw new IllegalStateException("the leader refused proposal " + p.seq() + ": " + index);
      }
      inFlight.addLast(new long[] {index, p.seq()});
      entries++;
      entryBytes += p.entry().length;
      largestEntry = Math.max(largestEntry, p.entry().length);
    });
    // carryOut drains the job views (scheduler CPU), as JobLeader#afterInput does.
    raftCpuNs += cpu.getCurrentThreadCpuTime() - t0;
    carryOut(now, runNow);
    process(leader, now);
  }

  @Override
  protected long nextOwnEvent() {
    if (!raft) {
      return Long.MAX_VALUE;
    }
    // Ticks go on only while something is in flight or due: the group idles with the workers.
    long delivery = network.isEmpty() ? Long.MAX_VALUE : network.peek().time();
    return inFlight.isEmpty() && network.isEmpty() ? Long.MAX_VALUE : Math.min(delivery, nextTick);
  }

  @Override
  protected void runOwnEvents(long time) {
    step(time);
  }

  // ---- the group --------------------------------------------------------------------------------

  private void step(long time) {
    simNow = Math.max(simNow, time);
    if (nextTick <= time) {
      for (Node n : nodes.values()) {
        leaderTimed(n, () -> n.core.tick());
        process(n, time);
      }
      nextTick = time + TICK_MS;
    }
    while (!network.isEmpty() && network.peek().time() <= time) {
      Delivery d = network.poll();
      Node n = nodes.get(d.message().to());
      leaderTimed(n, () -> n.core.step(d.message()));
      process(n, time);
    }
  }

  /** Handles every Ready of {@code n} as RaftNodeActor does; the leader's share is timed. */
  private void process(Node n, long now) {
    while (n.core.hasReady()) {
      List<Effect> effects = new ArrayList<>();
      leaderTimed(n, () -> {
        Ready rd = n.core.ready();
        rd.messagesBeforePersist().forEach(m -> send(m, now));
        if (rd.snapshot() != null) {
          n.store.installSnapshot(rd.snapshot());
          n.machine.restore(rd.snapshot().data());
        }
        n.store.append(rd.entries());
        if (rd.hardState() != null) {
          n.store.saveHardState(rd.hardState());
        }
        rd.messages().forEach(m -> send(m, now));
        for (Entry e : rd.committedEntries()) {
          byte[] result = e.type() == EntryType.NORMAL ? n.machine.apply(e.data()) : null;
          if (n == leader && leaderScheduler != null && !inFlight.isEmpty()
              && inFlight.peekFirst()[0] == e.index()) {
            effects.addAll(leaderScheduler.applied(inFlight.pollFirst()[1], result));
            if (leaderScheduler.broken() != null) {
              throw new IllegalStateException("the leader's copy broke: "
                  + leaderScheduler.broken());
            }
          }
        }
        n.core.advance(rd);
      });
      if (n.core.appliedIndex() - n.lastSnapshot >= SNAPSHOT_EVERY) {
        long t0 = cpu.getCurrentThreadCpuTime();
        long index = n.core.appliedIndex();
        n.store.saveSnapshot(n.core.createSnapshot(index, n.machine.snapshot()));
        n.lastSnapshot = index;
        if (n == leader) {
          long spent = cpu.getCurrentThreadCpuTime() - t0;
          raftCpuNs += spent;
          snapshotCpuNs += spent;
        }
      }
      if (!effects.isEmpty()) {
        carryOut(now, effects);
      }
    }
  }

  private void send(Message m, long now) {
    messages++;
    network.add(new Delivery(now + LATENCY_MS, sendSeq++, m));
  }

  private void leaderTimed(Node n, Runnable r) {
    if (n != leader) {
      r.run();
      return;
    }
    long t0 = cpu.getCurrentThreadCpuTime();
    r.run();
    raftCpuNs += cpu.getCurrentThreadCpuTime() - t0;
  }

  @Override
  protected void print(String shape, int workers, int tasks, long end, long whole) {
    double leaderS = (schedulerCpuNs + raftCpuNs) / 1e9;
    System.out.printf("mode=%s shape=%s workers=%d tasks=%d assignments=%d inputs=%d "
            + "entries=%d entry_kib=%.0f largest_entry_kib=%.1f messages=%d simulated_s=%.1f "
            + "scheduler_cpu_s=%.3f raft_cpu_s=%.3f snapshot_cpu_s=%.3f leader_cpu_s=%.3f "
            + "whole_cpu_s=%.3f assignments_per_cpu_s=%.0f%n",
        raft ? "raft" : "pure", shape, workers, tasks, assignments, inputs, entries,
        entryBytes / 1024.0, largestEntry / 1024.0, messages, end / 1000.0,
        schedulerCpuNs / 1e9, raftCpuNs / 1e9, snapshotCpuNs / 1e9, leaderS, whole / 1e9,
        assignments / leaderS);
  }
}
