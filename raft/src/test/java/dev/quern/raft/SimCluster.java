package dev.quern.raft;

import static org.assertj.core.api.Assertions.fail;

import dev.quern.raft.node.RaftPersistence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * A deterministic simulation of a Raft group: one thread, virtual time in milliseconds, a seeded
 * network that drops, delays, reorders and duplicates messages and can be partitioned, and crashes
 * that keep only what the node had persisted. It handles every {@link Ready} the way a real driver
 * must (send the leader's appends, persist, send the rest, apply, advance; a node may crash between
 * sending its appends and persisting them) and checks safety after every Ready a node handles:
 * at most one leader per term; every node applies the same entry at the same index, in order;
 * a committed entry never changes (every node that commits an index commits the same term there);
 * log matching (two logs with the same term at an index hold the same terms below it, checked as:
 * every (index, term) in any log has one predecessor term); every leader's log holds every entry
 * committed anywhere (leader completeness), and a leader never drops or rewrites its own entries;
 * and a snapshot, when taken and when installed, holds exactly the state a replay of the applied
 * entries up to its index gives.
 */
final class SimCluster {

  static final long TICK_MS = 100;

  /** The network and snapshot behaviour of a run. */
  record Options(double drop, double duplicate, int minDelay, int maxDelay, double longDelay, int longDelayMax,
           int snapshotEvery, double restartAfterStep, LongFunction<RaftConfig> config) {

    static Options reliable() {
      return new Options(0, 0, 1, 10, 0, 0, 0, 0, SimCluster::defaultConfig);
    }

    /** Drops 10%, duplicates 5%, and delays 10% of messages by up to 2 s, which reorders them. */
    static Options unreliable() {
      return new Options(0.10, 0.05, 1, 25, 0.10, 2000, 0, 0, SimCluster::defaultConfig);
    }

    Options withSnapshotEvery(int n) {
      return new Options(drop, duplicate, minDelay, maxDelay, longDelay, longDelayMax, n, restartAfterStep, config);
    }

    /** After handling a message, a node crashes and restarts from storage with this probability. */
    Options withRestartAfterStep(double p) {
      return new Options(drop, duplicate, minDelay, maxDelay, longDelay, longDelayMax, snapshotEvery, p, config);
    }

    Options withConfig(LongFunction<RaftConfig> c) {
      return new Options(drop, duplicate, minDelay, maxDelay, longDelay, longDelayMax, snapshotEvery, restartAfterStep, c);
    }
  }

  static RaftConfig defaultConfig(long id) {
    return RaftConfig.builder(id).maxEntriesPerMessage(64).maxInflight(8).snapshotChunkBytes(256).build();
  }

  /**
   * Opens a node's stable storage: at start and again at every restart (a durable store reopens its
   * files; what it returns must hold exactly what was persisted before the crash). The default keeps
   * one {@link SimDisk} per node, which loses unsynced writes in a crash.
   */
  interface StorageFactory {
    RaftPersistence open(long nodeId, int incarnation);
  }

  final class Node {
    final long id;
    RaftPersistence store;
    RaftCore core;
    DedupStateMachine sm;
    KvStateMachine kv;
    boolean up;
    long nextTick;
    long applied;
    int incarnation;
    boolean leaderChecked;
    /** As leader: committed indexes up to here are known to be in its log; its last index and term. */
    long completeUpTo;
    long leaderLast;
    long leaderLastTerm;
    /** The commit index at the last log-matching check (entries at or below it were checked). */
    long matchedUpTo;
    final List<ReadState> pendingReads = new ArrayList<>();

    Node(long id) {
      this.id = id;
    }

    void start(RaftCore c, Snapshot snapshot) {
      core = c;
      kv = new KvStateMachine();
      sm = new DedupStateMachine(kv);
      applied = 0;
      if (!snapshot.isEmpty()) {
        sm.restore(snapshot.data());
        applied = snapshot.index();
      }
      up = true;
      leaderChecked = false;
      matchedUpTo = 0;
      pendingReads.clear();
      nextTick = now + 1 + rnd.nextInt((int) TICK_MS);
      process(this);
    }
  }

  private record Delivery(long time, long seq, Message message) {
  }

  final long seed;
  private Options opts;
  final SplittableRandom rnd;
  final TreeMap<Long, Node> nodes = new TreeMap<>();
  private final PriorityQueue<Delivery> queue = new PriorityQueue<>(
      (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final Map<Long, Integer> group = new HashMap<>();
  private long sendSeq;
  long now;

  // safety records
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  /** Every entry applied anywhere, by index. */
  final TreeMap<Long, Entry> appliedEntries = new TreeMap<>();
  /** The term of every index that any node has counted as committed. */
  private final TreeMap<Long, Long> committedTerms = new TreeMap<>();
  /**
   * For each committed index, the term of the node that first counted it as committed: at least the
   * term in which it was committed, so every leader of that term or later must hold it.
   */
  private final Map<Long, Long> committedInTerm = new HashMap<>();
  /** Log matching: for each (index, term) seen in any log, the term of the entry before it. */
  private final Map<List<Long>, Long> predecessorTerm = new HashMap<>();
  /** State machine images checked against a replay of the applied entries, by index. */
  private final Map<Long, byte[]> verifiedImages = new HashMap<>();
  /** First result of each client request (clientId, sequence). */
  final Map<List<Long>, byte[]> clientResults = new HashMap<>();
  /** Reads served: context to the read's index, checked against what was committed when it was asked. */
  final Map<Long, Long> readAskedAtCommit = new HashMap<>();
  final Map<Long, Long> readsServed = new HashMap<>();

  /** Runs after every event (a delivery or a tick) and every Ready handled: for a test's own invariants. */
  private Runnable everyStep = () -> { };
  /** Sees every message a node sends, before the network decides whether it arrives. */
  private java.util.function.Consumer<Message> onSend = m -> { };

  // counters
  long messages;
  long requests;
  long appendRejects;
  long snapshotChunks;

  /** A simulated group whose nodes write to {@link SimDisk}s: unsynced writes are lost in a crash. */
  SimCluster(long seed, int n, Options opts) {
    this(seed, n, opts, SimDisk.factory());
  }

  private final StorageFactory storage;

  SimCluster(long seed, int n, Options opts, StorageFactory storage) {
    this.seed = seed;
    this.opts = opts;
    this.storage = storage;
    this.rnd = new SplittableRandom(seed);
    List<Long> voters = new ArrayList<>();
    for (long id = 1; id <= n; id++) {
      voters.add(id);
    }
    for (long id : voters) {
      Node node = new Node(id);
      nodes.put(id, node);
      group.put(id, 0);
    }
    for (long id : voters) {
      Node node = nodes.get(id);
      node.store = storage.open(id, 0);
      node.start(RaftCore.bootstrap(opts.config.apply(id), voters, coreRandom(id, 0)), Snapshot.EMPTY);
    }
  }

  private SplittableRandom coreRandom(long id, int incarnation) {
    return new SplittableRandom(seed * 1_000_003L + id * 7919L + incarnation);
  }

  Node node(long id) {
    return nodes.get(id);
  }

  /** Starts an empty node that can be added to the group with a conf change. */
  Node addEmptyNode(long id) {
    Node node = new Node(id);
    nodes.put(id, node);
    group.put(id, 0);
    node.store = storage.open(id, 0);
    node.start(new RaftCore(opts.config.apply(id), PersistentState.EMPTY, coreRandom(id, 0)), Snapshot.EMPTY);
    return node;
  }

  // ---------------------------------------------------------------- faults

  void crash(long id) {
    Node n = nodes.get(id);
    n.up = false;
    n.core = null;
    n.sm = null;
    n.kv = null;
    n.pendingReads.clear();
  }

  void restart(long id) {
    Node n = nodes.get(id);
    if (n.up) {
      crash(id);
    }
    n.incarnation++;
    n.store = storage.open(id, n.incarnation);
    PersistentState persisted = n.store.load();
    n.start(new RaftCore(opts.config.apply(id), persisted, coreRandom(id, n.incarnation)), persisted.snapshot());
  }

  /** Splits the nodes into the given groups; nodes not named are each cut off alone. */
  void partition(List<List<Long>> groups) {
    int g = 1;
    for (long id : nodes.keySet()) {
      group.put(id, 1000 + (int) id);
    }
    for (List<Long> members : groups) {
      for (long id : members) {
        group.put(id, g);
      }
      g++;
    }
  }

  void isolate(long id) {
    group.put(id, 1000 + (int) id);
  }

  /** Puts a node back into the main group (the group of nodes that were never cut off). */
  void connect(long id) {
    group.put(id, 0);
  }

  void heal() {
    for (long id : nodes.keySet()) {
      group.put(id, 0);
    }
  }

  /** Heals every partition and makes the network reliable and the nodes stop crashing: "after healing". */
  void calm() {
    heal();
    opts = new Options(0, 0, 1, 10, 0, 0, opts.snapshotEvery, 0, opts.config);
  }

  void checkEveryStep(Runnable check) {
    everyStep = check;
  }

  void onSend(java.util.function.Consumer<Message> listener) {
    onSend = listener;
  }

  boolean connected(long a, long b) {
    return group.get(a).equals(group.get(b));
  }

  // ---------------------------------------------------------------- running

  void runFor(long ms) {
    runUntilTime(now + ms);
  }

  /** Runs until {@code cond} holds (checked every 10 ms) or {@code maxMs} passes; returns whether it held. */
  boolean runUntil(BooleanSupplier cond, long maxMs) {
    long deadline = now + maxMs;
    while (!cond.getAsBoolean()) {
      if (now >= deadline) {
        return false;
      }
      runFor(10);
    }
    return true;
  }

  private void runUntilTime(long t) {
    while (true) {
      Delivery d = queue.peek();
      long nextMsg = d == null ? Long.MAX_VALUE : d.time;
      Node ticker = null;
      for (Node n : nodes.values()) {
        if (n.up && (ticker == null || n.nextTick < ticker.nextTick)) {
          ticker = n;
        }
      }
      long nextTick = ticker == null ? Long.MAX_VALUE : ticker.nextTick;
      long next = Math.min(nextMsg, nextTick);
      if (next > t) {
        now = t;
        return;
      }
      now = next;
      if (nextMsg <= nextTick) {
        deliver(queue.poll().message);
      } else {
        ticker.nextTick += TICK_MS;
        ticker.core.tick();
        process(ticker);
      }
      everyStep.run();
    }
  }

  /** -Draft.trace=ID prints every message to or from node ID (for replaying a failing seed). */
  private static final long TRACE = Long.getLong("raft.trace", -1);

  private void deliver(Message m) {
    if (m.to() == TRACE || m.from() == TRACE) {
      System.out.println("t=" + now + " deliver " + m);
    }
    Node n = nodes.get(m.to());
    if (n == null || !n.up || !connected(m.from(), m.to())) {
      return;
    }
    n.core.step(m);
    process(n);
    if (opts.restartAfterStep > 0 && rnd.nextDouble() < opts.restartAfterStep) {
      restart(n.id); // the sharpest crash point: right after persisting and sending
    }
  }

  private void send(Message m) {
    if (m.to() == TRACE || m.from() == TRACE) {
      System.out.println("t=" + now + " send    " + m);
    }
    messages++;
    onSend.accept(m);
    if (m instanceof Message.AppendEntries || m instanceof Message.Heartbeat || m instanceof Message.RequestVote
        || m instanceof Message.InstallSnapshot || m instanceof Message.TimeoutNow) {
      requests++;
    }
    if (m instanceof Message.AppendResponse r && r.reject()) {
      appendRejects++;
    }
    if (m instanceof Message.InstallSnapshot) {
      snapshotChunks++;
    }
    if (!connected(m.from(), m.to()) || rnd.nextDouble() < opts.drop) {
      if (m.to() == TRACE || m.from() == TRACE) {
        System.out.println("t=" + now + " dropped");
      }
      return;
    }
    int copies = rnd.nextDouble() < opts.duplicate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = opts.minDelay + rnd.nextInt(opts.maxDelay - opts.minDelay + 1);
      if (opts.longDelay > 0 && rnd.nextDouble() < opts.longDelay) {
        delay += rnd.nextInt(opts.longDelayMax);
      }
      queue.add(new Delivery(now + delay, sendSeq++, m));
    }
  }

  /** Handles Ready batches as a driver must: send early appends, persist, send, apply, advance. */
  void process(Node n) {
    for (int batches = 0; n.core.hasReady(); batches++) {
      if (batches == 10_000) {
        fail("node " + n.id + " keeps producing Ready batches without new input: " + n.core);
      }
      Ready rd = n.core.ready();
      for (Message m : rd.messagesBeforePersist()) {
        send(m);
      }
      if (!rd.messagesBeforePersist().isEmpty() && opts.restartAfterStep > 0
          && rnd.nextDouble() < opts.restartAfterStep) {
        restart(n.id); // the leader's appends are out but its own copy was never written
        return;
      }
      // As the Pekko driver: committed entries (durable on a majority) are applied before this node's
      // own write of the Ready's new entries, except in a Ready that installs a snapshot; a crash may
      // come between the two.
      boolean appliedEarly = rd.snapshot() == null;
      if (appliedEarly && !rd.committedEntries().isEmpty()) {
        for (Entry e : rd.committedEntries()) {
          apply(n, e);
        }
        if (opts.restartAfterStep > 0 && rnd.nextDouble() < opts.restartAfterStep) {
          restart(n.id); // applied, and its own copy of the new entries never written
          return;
        }
      }
      persist(n.store, rd);
      for (Message m : rd.messages()) {
        send(m);
      }
      if (rd.snapshot() != null) {
        Entry known = appliedEntries.get(rd.snapshot().index());
        if (known != null && known.term() != rd.snapshot().term()) {
          fail("node " + n.id + " installs snapshot " + rd.snapshot() + " but " + known + " was applied");
        }
        checkImage(n, "installs", rd.snapshot());
        n.sm.restore(rd.snapshot().data());
        n.applied = rd.snapshot().index();
      }
      if (!appliedEarly) {
        for (Entry e : rd.committedEntries()) {
          apply(n, e);
        }
      }
      n.pendingReads.addAll(rd.readStates());
      n.core.advance(rd);
      checkLeader(n, rd.softState());
      checkLogs(n);
      serveReads(n);
      maybeSnapshot(n);
      everyStep.run();
    }
  }

  private static void persist(RaftPersistence store, Ready rd) {
    if (rd.snapshot() != null) {
      store.installSnapshot(rd.snapshot());
    }
    store.append(rd.entries());
    if (rd.hardState() != null) {
      store.saveHardState(rd.hardState());
    }
    if (rd.mustSync()) {
      store.sync();
    }
  }

  private void apply(Node n, Entry e) {
    if (e.index() != n.applied + 1) {
      fail("node " + n.id + " applies " + e + " after " + n.applied);
    }
    Entry prev = appliedEntries.putIfAbsent(e.index(), e);
    if (prev != null && !prev.equals(e)) {
      fail("node " + n.id + " applies " + e + " but another node applied " + prev);
    }
    n.applied = e.index();
    byte[] result = n.sm.applyEntry(e);
    if (e.type() == EntryType.NORMAL) {
      ClientCommand c = ClientCommand.decode(e.data());
      if (ClientResult.decode(result) instanceof ClientResult.Done done) {
        clientResults.putIfAbsent(List.of(c.clientId(), c.sequence()), done.value());
      }
    }
  }

  private void checkLeader(Node n, SoftState ss) {
    if (ss.role() != Role.LEADER) {
      n.leaderChecked = false;
      return;
    }
    long term = n.core.term();
    Long prev = leaderOfTerm.putIfAbsent(term, n.id);
    if (prev != null && prev != n.id) {
      fail("two leaders in term " + term + ": " + prev + " and " + n.id);
    }
    if (!n.leaderChecked) {
      n.leaderChecked = true;
      long first = n.core.firstIndex();
      for (Entry e : appliedEntries.tailMap(first, true).values()) {
        if (n.core.termAt(e.index()) != e.term()) {
          fail("leader " + n.id + " of term " + term + " lacks applied " + e);
        }
      }
      if (!appliedEntries.isEmpty() && n.core.snapshot().index() < first - 1) {
        fail("leader " + n.id + " has a gap below its log");
      }
      for (var e : committedTerms.tailMap(first - 1, false).entrySet()) {
        if (committedInTerm.get(e.getKey()) <= term && n.core.termAt(e.getKey()) != e.getValue()) {
          fail("leader " + n.id + " of term " + term + " lacks committed entry " + e.getKey() + "@" + e.getValue());
        }
      }
      n.completeUpTo = committedTerms.isEmpty() ? 0 : committedTerms.lastKey();
      n.leaderLast = n.core.lastIndex();
      n.leaderLastTerm = n.core.termAt(n.leaderLast);
    }
  }

  /**
   * The log invariants after one of {@code n}'s Readys: what it counts as committed agrees with every
   * other node; its uncommitted tail obeys log matching; and every up leader holds every entry
   * committed anywhere and has kept all of its own entries of its term.
   */
  private void checkLogs(Node n) {
    RaftCore c = n.core;
    long first = c.firstIndex();
    for (long i = Math.max(first, n.matchedUpTo + 1); i <= c.commitIndex(); i++) {
      long t = c.termAt(i);
      Long was = committedTerms.putIfAbsent(i, t);
      if (was == null) {
        committedInTerm.put(i, c.term());
      }
      if (was != null && was != t) {
        fail("node " + n.id + " commits index " + i + " in term " + t + " but term " + was
            + " was committed there");
      }
    }
    // Entries above the last check's commit index may have been replaced since; check them all.
    for (long i = Math.max(first, n.matchedUpTo); i <= c.lastIndex(); i++) {
      if (i == 0) {
        continue;
      }
      long t = c.termAt(i);
      long before = i - 1 < first - 1 ? -1 : c.termAt(i - 1);
      if (before < 0) {
        continue;
      }
      Long seen = predecessorTerm.putIfAbsent(List.of(i, t), before);
      if (seen != null && seen != before) {
        fail("log matching: node " + n.id + " has index " + i + " in term " + t + " after term " + before
            + " but another log has it after term " + seen);
      }
    }
    n.matchedUpTo = Math.max(n.matchedUpTo, Math.min(c.commitIndex(), c.lastIndex()));
    for (Node l : nodes.values()) {
      if (l.up && l.core.isLeader()) {
        checkLeaderLog(l);
      }
    }
  }

  private void checkLeaderLog(Node l) {
    RaftCore c = l.core;
    if (!l.leaderChecked) {
      return; // checkLeader has just checked the whole log for this term
    }
    if (l.leaderLast > 0 && l.leaderLast >= c.firstIndex()
        && (c.lastIndex() < l.leaderLast || c.termAt(l.leaderLast) != l.leaderLastTerm)) {
      fail("leader " + l.id + " of term " + c.term() + " dropped or rewrote its entry " + l.leaderLast
          + "@" + l.leaderLastTerm + ": " + c);
    }
    // Leader completeness binds the leaders of the term that committed an entry and of later terms;
    // a deposed leader that has not heard of the later term yet may lack what that term committed.
    for (var e : committedTerms.tailMap(Math.max(l.completeUpTo, c.firstIndex() - 1), false).entrySet()) {
      if (committedInTerm.get(e.getKey()) <= c.term() && c.termAt(e.getKey()) != e.getValue()) {
        fail("leader " + l.id + " of term " + c.term() + " lacks committed entry " + e.getKey() + "@"
            + e.getValue());
      }
    }
    l.completeUpTo = committedTerms.isEmpty() ? 0 : committedTerms.lastKey();
    l.leaderLast = c.lastIndex();
    l.leaderLastTerm = c.termAt(l.leaderLast);
  }

  /**
   * A snapshot's image equals the state that replaying the applied entries up to its index gives
   * (every index up to it was applied by some node, or the image was verified when it was taken).
   */
  private void checkImage(Node n, String what, Snapshot s) {
    byte[] known = verifiedImages.get(s.index());
    if (known == null) {
      DedupStateMachine replay = new DedupStateMachine(new KvStateMachine());
      for (long i = 1; i <= s.index(); i++) {
        Entry e = appliedEntries.get(i);
        if (e == null) {
          fail("node " + n.id + " " + what + " " + s + " but index " + i + " was never applied anywhere");
        }
        replay.applyEntry(e);
      }
      known = replay.snapshot();
      verifiedImages.put(s.index(), known);
    }
    if (!java.util.Arrays.equals(known, s.data())) {
      fail("node " + n.id + " " + what + " " + s + " whose image differs from the replay of the entries"
          + " applied up to " + s.index());
    }
  }

  private void serveReads(Node n) {
    var it = n.pendingReads.iterator();
    while (it.hasNext()) {
      ReadState rs = it.next();
      if (n.applied >= rs.index()) {
        it.remove();
        Long asked = readAskedAtCommit.get(rs.context());
        if (asked != null && rs.index() < asked) {
          fail("read " + rs.context() + " served at " + rs.index() + " but " + asked
              + " was committed when it was asked (stale read)");
        }
        readsServed.put(rs.context(), rs.index());
      }
    }
  }

  private void maybeSnapshot(Node n) {
    if (opts.snapshotEvery <= 0) {
      return;
    }
    RaftCore c = n.core;
    if (c.appliedIndex() - c.snapshot().index() >= opts.snapshotEvery) {
      Snapshot s = c.createSnapshot(c.appliedIndex(), n.sm.snapshot());
      checkImage(n, "takes", s);
      n.store.saveSnapshot(s);
      n.store.sync();
    }
  }

  // ---------------------------------------------------------------- observation

  /** The up node that is leader in the highest term, or null. */
  Node leader() {
    Node best = null;
    for (Node n : nodes.values()) {
      if (n.up && n.core.isLeader() && (best == null || n.core.term() > best.core.term())) {
        best = n;
      }
    }
    return best;
  }

  /** A leader that can reach a majority of the voters, or null. */
  Node effectiveLeader() {
    Node l = leader();
    if (l == null) {
      return null;
    }
    List<Long> voters = l.core.membership().voters();
    int reach = 0;
    for (long v : voters) {
      Node n = nodes.get(v);
      if (n != null && n.up && connected(l.id, v)) {
        reach++;
      }
    }
    return reach >= voters.size() / 2 + 1 ? l : null;
  }

  /** Runs until a leader with a majority exists; fails if none appears within {@code maxMs}. */
  Node awaitLeader(long maxMs) {
    if (!runUntil(() -> effectiveLeader() != null, maxMs)) {
      fail("no leader within " + maxMs + " ms at t=" + now + ": " + describe());
    }
    return effectiveLeader();
  }

  /** How many up nodes have applied up to {@code index}. */
  int appliedCount(long index) {
    int c = 0;
    for (Node n : nodes.values()) {
      if (n.up && n.applied >= index) {
        c++;
      }
    }
    return c;
  }

  long maxApplied() {
    return appliedEntries.isEmpty() ? 0 : appliedEntries.lastKey();
  }

  String describe() {
    StringBuilder b = new StringBuilder();
    for (Node n : nodes.values()) {
      b.append("\n  ").append(n.up ? n.core + " " + n.core.membership() : "node " + n.id + " down")
          .append(" group=").append(group.get(n.id));
    }
    return b.toString();
  }

  /** Starts a linearizable read at {@code n}, recording what had been applied anywhere when it was asked. */
  boolean read(Node n, long context) {
    readAskedAtCommit.put(context, maxApplied());
    boolean ok = n.core.readIndex(context);
    process(n);
    return ok;
  }

  // ---------------------------------------------------------------- clients

  /** A client that sends one request at a time and retries it (same sequence number) until applied. */
  final class Client {
    final long clientId;
    long sequence;

    Client(long clientId) {
      this.clientId = clientId;
    }

    /** Submits {@code payload} until some node applies it; returns the result, or null on timeout. */
    byte[] request(byte[] payload, long timeoutMs) {
      sequence++;
      List<Long> key = List.of(clientId, sequence);
      byte[] cmd = new ClientCommand(clientId, sequence, payload).encode();
      long deadline = now + timeoutMs;
      while (now < deadline) {
        long index = proposeAtLeader(cmd);
        if (index == 0) {
          continue;
        }
        runUntil(() -> clientResults.containsKey(key), Math.min(1000, Math.max(10, deadline - now)));
        if (clientResults.containsKey(key)) {
          return clientResults.get(key);
        }
      }
      return null;
    }

    String append(String k, String v, long timeoutMs) {
      byte[] r = request(KvStateMachine.append(k, v), timeoutMs);
      return r == null ? null : new String(r, StandardCharsets.UTF_8);
    }
  }

  private long oneSequence;

  /**
   * Proposes {@code cmd} at the current leader and processes its Ready; with no leader (or one
   * that refuses), lets 50 virtual ms pass instead. Returns the entry's index, or 0.
   */
  private long proposeAtLeader(byte[] cmd) {
    Node l = leader();
    long index = l == null ? 0 : l.core.propose(cmd);
    if (l != null) {
      process(l);
    }
    if (index == 0) {
      runFor(50);
    }
    return index;
  }

  /**
   * Lab-style agreement: proposes a fresh command at the leader until at least {@code expected}
   * nodes have applied it; fails after 10 virtual seconds (30 while the network drops messages or
   * nodes crash: several election timeouts of 1-2 s can be lost in a row). Returns the index.
   */
  long one(String value, int expected) {
    long seq = ++oneSequence;
    byte[] cmd = new ClientCommand(Long.MAX_VALUE, seq, KvStateMachine.append("one", value)).encode();
    long deadline = now + (opts.drop > 0 || opts.restartAfterStep > 0 ? 30_000 : 10_000);
    while (now < deadline) {
      long index = proposeAtLeader(cmd);
      if (index == 0) {
        continue;
      }
      long idx = index;
      runUntil(() -> appliedCount(idx) >= expected, 2000);
      Entry e = appliedEntries.get(idx);
      if (e != null && appliedCount(idx) >= expected && java.util.Arrays.equals(e.data(), cmd)) {
        return idx;
      }
    }
    fail("one(" + value + ") did not reach agreement on " + expected + " nodes: " + describe());
    return -1;
  }
}
