package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftCore;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.RaftStatus.FollowerProgress;
import dev.quern.raft.RaftStatus.ProgressState;
import dev.quern.raft.Role;
import dev.quern.raft.Snapshot;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.node.RaftMetrics.Gauge;
import dev.quern.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a running node shows without being asked: the status it publishes (read here from the test
 * thread, never from the actor's), its metrics, and its log lines.
 */
class RaftMonitorTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private final List<ActorTestKit> kits = new ArrayList<>();
  private final Logger log = (Logger) LoggerFactory.getLogger(RaftNodeActor.class);
  private final Captured captured = new Captured();
  private Level oldLevel;
  private boolean oldAdditive;

  /** Keeps every log event; appended from the actors' threads, read from the test's. */
  private static final class Captured extends AppenderBase<ILoggingEvent> {
    final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent e) {
      events.add(e);
    }

    List<String> at(Level level) {
      return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    List<String> atLeast(Level level) {
      return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
          .map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** Counts syncs, to check the fsync histogram against. */
  private static final class CountingStore implements RaftPersistence {
    final InMemoryRaftPersistence delegate = new InMemoryRaftPersistence();
    final AtomicInteger syncs = new AtomicInteger();

    @Override
    public PersistentState load() {
      return delegate.load();
    }

    @Override
    public void append(List<Entry> entries) {
      delegate.append(entries);
    }

    @Override
    public void saveHardState(HardState state) {
      delegate.saveHardState(state);
    }

    @Override
    public void installSnapshot(Snapshot snapshot) {
      delegate.installSnapshot(snapshot);
    }

    @Override
    public void saveSnapshot(Snapshot snapshot) {
      delegate.saveSnapshot(snapshot);
    }

    @Override
    public void sync() {
      syncs.incrementAndGet();
    }
  }

  @BeforeEach
  void captureLogs() {
    oldLevel = log.getLevel();
    oldAdditive = log.isAdditive();
    captured.setContext(log.getLoggerContext());
    captured.start();
    log.addAppender(captured);
    log.setLevel(Level.DEBUG);
    log.setAdditive(false);
  }

  @AfterEach
  void shutdown() {
    for (ActorTestKit kit : kits) {
      kit.shutdownTestKit();
    }
    log.detachAppender(captured);
    log.setLevel(oldLevel);
    log.setAdditive(oldAdditive);
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSingleNodePublishesItsStatusAndCountsWhatItDid() {
    ActorTestKit kit = ActorTestKit.create("single");
    kits.add(kit);
    RaftMonitor monitor = new RaftMonitor();
    CountingStore store = new CountingStore();
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofMillis(20),
        Map.of(), List.of(1L), 1, 5, monitor);
    ActorRef<RaftNodeActor.Command> node = kit.spawn(RaftNodeActor.create(settings, () -> store, TextLog::new), "raft");

    Await.until(BOUND, "node 1 to publish that it leads",
        () -> monitor.status().map(RaftStatus::isLeader).orElse(false));
    TestProbe<RaftNodeActor.ProposeReply> replies = kit.createTestProbe();
    long last = 0;
    for (int i = 1; i <= 8; i++) {
      node.tell(new RaftNodeActor.Propose(text("c" + i), replies.ref()));
      last = replies.expectMessageClass(RaftNodeActor.Applied.class, Duration.ofSeconds(10)).index();
    }
    // Index 1 is the founding configuration, 2 the new leader's no-op, 3 to 10 the commands.
    assertThat(last).isEqualTo(10);
    RaftMetrics m = monitor.metrics();
    // Snapshots are written on another thread and saved when written: wait for the second too.
    Await.until(BOUND, "the node to publish index 10 applied, its 8 commit latencies and 2 snapshots",
        () -> monitor.status().orElseThrow().applied() == 10 && m.get(Gauge.APPLIED_INDEX) == 10
            && m.get(Counter.ENTRIES_APPLIED) == 10 && m.appendLatency().snapshot().count() == 8
            && m.get(Counter.SNAPSHOTS_TAKEN) == 2 && monitor.status().orElseThrow().snapshotIndex() == 10);

    RaftStatus s = monitor.status().orElseThrow();
    assertThat(s).isEqualTo(new RaftStatus(1, 2, 1, Role.LEADER, 1, 10, 10, 10, 10, List.of(1L), List.of(),
        RaftCore.NONE, new java.util.TreeMap<>()));
    assertThat(store.delegate.load().snapshot().index()).isEqualTo(10);

    assertThat(m.get(Counter.PROPOSALS)).isEqualTo(8);
    assertThat(m.get(Counter.PROPOSALS_REFUSED)).isZero();
    assertThat(m.get(Counter.ENTRIES_COMMITTED)).isEqualTo(9); // from the founding entry's 1 to 10
    assertThat(m.get(Counter.PRE_VOTE_CAMPAIGNS)).isEqualTo(1);
    assertThat(m.get(Counter.ELECTIONS_STARTED)).isEqualTo(1);
    assertThat(m.get(Counter.ELECTIONS_WON)).isEqualTo(1);
    assertThat(m.get(Counter.LEADER_CHANGES)).isEqualTo(1);
    // Every fifth applied entry: at 5 the text of commands 1-3, at 10 of commands 1-8.
    assertThat(m.get(Counter.SNAPSHOTS_TAKEN)).isEqualTo(2);
    assertThat(m.get(Counter.SNAPSHOT_BYTES_TAKEN)).isEqualTo("c1;c2;c3;".length() + "c1;c2;c3;c4;c5;c6;c7;c8;".length());
    assertThat(m.get(Counter.SNAPSHOTS_INSTALLED)).isZero();
    assertThat(m.get(Counter.SNAPSHOTS_SENT)).isZero();
    assertThat(m.fsync().snapshot().count()).isEqualTo(store.syncs.get()).isPositive();
    assertThat(m.get(Gauge.TERM)).isEqualTo(2);
    assertThat(m.get(Gauge.COMMIT_INDEX)).isEqualTo(10);
    assertThat(m.get(Gauge.IS_LEADER)).isEqualTo(1);
    assertThat(m.get(Gauge.HAS_LEADER)).isEqualTo(1);
    assertThat(m.get(Gauge.INFLIGHT_BYTES)).isZero();

    // One line per transition, none per entry.
    assertThat(captured.atLeast(Level.INFO)).containsExactly(
        "raft node 1 applied membership change ADD_VOTER node 1 (index 1); configuration in force: voters [1],"
            + " learners []",
        "raft node 1 starts an election for term 2",
        "raft node 1 won the election for term 2",
        "raft node 1: node 1 leads term 2",
        "raft node 1 took a snapshot at index 5 (term 2, 9 bytes)",
        "raft node 1 took a snapshot at index 10 (term 2, 24 bytes)");
    assertThat(captured.at(Level.DEBUG)).containsExactly("raft node 1 asks for pre-votes for term 2");
  }

  @Test
  void aNodeThatCannotWinRefusesProposalsAndSaysSoOnce() {
    ActorTestKit kit = ActorTestKit.create("lonely");
    kits.add(kit);
    RaftMonitor monitor = new RaftMonitor();
    // Voter 2 never answers (no path to it), so node 1 can never gather a majority of two.
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofMillis(10),
        Map.of(), List.of(1L, 2L), 1, 0, monitor);
    ActorRef<RaftNodeActor.Command> node = kit.spawn(
        RaftNodeActor.create(settings, InMemoryRaftPersistence::new, TextLog::new), "raft");
    RaftMetrics m = monitor.metrics();
    Await.until(BOUND, "two pre-vote rounds", () -> m.get(Counter.PRE_VOTE_CAMPAIGNS) >= 2);

    TestProbe<RaftNodeActor.ProposeReply> replies = kit.createTestProbe();
    for (int i = 0; i < 3; i++) {
      node.tell(new RaftNodeActor.Propose(text("x"), replies.ref()));
      assertThat(replies.expectMessageClass(RaftNodeActor.NotLeader.class, Duration.ofSeconds(10)).leaderHint())
          .isEqualTo(RaftCore.NONE);
    }
    assertThat(m.get(Counter.PROPOSALS_REFUSED)).isEqualTo(3);
    assertThat(m.get(Counter.PROPOSALS)).isZero();
    RaftStatus s = monitor.status().orElseThrow();
    assertThat(s.leader()).isEqualTo(RaftCore.NONE);
    assertThat(s.term()).isEqualTo(1); // pre-votes that are never won never raise the term
    assertThat(s.role()).isEqualTo(Role.PRE_CANDIDATE);
    assertThat(m.get(Counter.ELECTIONS_STARTED)).isZero();
    assertThat(m.get(Gauge.HAS_LEADER)).isZero();

    // Pre-vote rounds (every election timeout) only at debug; the refusal once at info.
    String refusal = "raft node 1 refuses proposals in term 1: not the leader, and no leader is known";
    assertThat(captured.atLeast(Level.INFO)).containsExactly(
        "raft node 1 applied membership change ADD_VOTER node 1 (index 1); configuration in force: voters [1, 2],"
            + " learners []",
        "raft node 1 applied membership change ADD_VOTER node 2 (index 2); configuration in force: voters [1, 2],"
            + " learners []",
        refusal + "; until that changes, further refusals are logged at debug");
    assertThat(captured.at(Level.DEBUG)).contains("raft node 1 asks for pre-votes for term 2")
        .containsSubsequence(refusal, refusal)
        .allMatch(l -> l.equals(refusal) || l.equals("raft node 1 asks for pre-votes for term 2"));
  }

  @Test
  void theLeaderPublishesEachFollowersProgressAndFollowersPublishTheLeader() {
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorTestKit kit = ActorTestKit.create("master", remote());
      kits.add(kit);
      paths.put(id, kit.system().address() + "/user/raft");
    }
    Map<Long, RaftMonitor> monitors = new HashMap<>();
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      monitors.put(id, new RaftMonitor());
      RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(id), Duration.ofMillis(50),
          peers, List.of(1L, 2L, 3L), id, 0, monitors.get(id));
      nodes.put(id, kits.get((int) id - 1).spawn(
          RaftNodeActor.create(settings, InMemoryRaftPersistence::new, TextLog::new), "raft"));
    }
    long leader = Await.value(BOUND, "a leader's published status", () -> monitors.values().stream()
        .map(mon -> mon.status().orElse(null)).filter(st -> st != null && st.isLeader())
        .map(RaftStatus::id).findFirst().orElse(null));

    TestProbe<RaftNodeActor.ProposeReply> replies = kits.get(0).createTestProbe();
    nodes.get(leader).tell(new RaftNodeActor.Propose(text("hello"), replies.ref()));
    RaftNodeActor.ProposeReply reply = replies.receiveMessage(Duration.ofSeconds(10));
    assertThat(reply).isInstanceOf(RaftNodeActor.Applied.class); // else leadership moved: a rare, visible failure
    long index = ((RaftNodeActor.Applied) reply).index();

    // Quiet: every follower holds the entry and has told the leader; everyone publishes the same leader.
    Await.until(BOUND, "the statuses to agree", () -> {
      RaftStatus l = monitors.get(leader).status().orElseThrow();
      for (long f = 1; f <= 3; f++) {
        if (f == leader) {
          continue;
        }
        RaftStatus fs = monitors.get(f).status().orElseThrow();
        FollowerProgress p = l.progress().get(f);
        if (p == null || p.match() != index || !p.recentActive() || fs.leader() != leader
            || fs.term() != l.term() || fs.commit() != index || fs.lastIndex() != index) {
          return false;
        }
      }
      return l.isLeader() && l.lastIndex() == index;
    });
    RaftStatus l = monitors.get(leader).status().orElseThrow();
    assertThat(l.progress().keySet()).containsExactlyInAnyOrder(followersOf(leader).toArray(Long[]::new));
    for (long f : followersOf(leader)) {
      assertThat(l.progress().get(f))
          .isEqualTo(new FollowerProgress(index, index + 1, ProgressState.REPLICATE, true, false, 0, 0, 0));
      RaftStatus fs = monitors.get(f).status().orElseThrow();
      assertThat(fs.role()).isEqualTo(Role.FOLLOWER);
      assertThat(fs.progress()).isEmpty();
      assertThat(monitors.get(f).metrics().get(Counter.LEADER_CHANGES)).isPositive();
      assertThat(monitors.get(f).metrics().get(Gauge.IS_LEADER)).isZero();
    }
    assertThat(monitors.get(leader).metrics().get(Counter.ELECTIONS_WON)).isPositive();
    assertThat(monitors.get(leader).metrics().get(Counter.PROPOSALS)).isEqualTo(1);
    assertThat(monitors.get(leader).metrics().get(Gauge.IS_LEADER)).isEqualTo(1);
  }

  private static List<Long> followersOf(long leader) {
    List<Long> ids = new ArrayList<>(List.of(1L, 2L, 3L));
    ids.remove(Long.valueOf(leader));
    return ids;
  }

  private static Config remote() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
        pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
        pekko.remote.warn-about-direct-use = off
        pekko.remote.warn-unsafe-watch-outside-cluster = off
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.load());
  }
}
