package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.quern.raft.ClientCommand;
import dev.quern.raft.DedupStateMachine;
import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import dev.quern.raft.RaftConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three masters in three actor systems on 127.0.0.1, talking Raft over Artery with Kryo. */
class RaftNodeActorTest {

  private final ArteryNodes artery = new ArteryNodes();
  private final List<ActorTestKit> kits = artery.kits;
  /** Fatal storage failures reported by any node (the default handler would halt the test JVM). */
  private final List<String> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * A store whose next append fails once, before writing anything (as a full disk would): the node
   * must restart and rebuild itself from the store. (A failed sync is fatal instead: see
   * {@link FatalStorageTest}.)
   */
  private static final class FlakyStore implements RaftPersistence {
    final InMemoryRaftPersistence delegate = new InMemoryRaftPersistence();
    final AtomicBoolean failNextAppend = new AtomicBoolean();
    final AtomicInteger loads = new AtomicInteger();

    @Override
    public PersistentState load() {
      loads.incrementAndGet();
      return delegate.load();
    }

    @Override
    public void append(List<Entry> entries) {
      if (!entries.isEmpty() && failNextAppend.getAndSet(false)) {
        throw new java.io.UncheckedIOException(new java.io.IOException("injected: no space left on device"));
      }
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
      delegate.sync();
    }
  }

  @AfterEach
  void shutdown() {
    artery.close();
  }

  @Test
  void threeMastersElectReplicateAndFailOver() {
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorTestKit kit = ActorTestKit.create("master", ArteryNodes.config());
      kits.add(kit);
      paths.put(id, kit.system().address() + "/user/raft");
    }
    Map<Long, ActorTestKit> kitOf = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      kitOf.put(id, kits.get((int) id - 1));
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    Map<Long, RaftNodeActor.Settings> settings = new HashMap<>();
    Map<Long, FlakyStore> stores = new HashMap<>();
    Map<Long, AtomicInteger> machinesCreated = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      settings.put(id, new RaftNodeActor.Settings(RaftConfig.defaults(id),
          Duration.ofMillis(50), peers, List.of(1L, 2L, 3L), id, 5));
      stores.put(id, new FlakyStore());
      ActorTestKit kit = kits.get((int) id - 1);
      FlakyStore store = stores.get(id);
      AtomicInteger machines = new AtomicInteger();
      machinesCreated.put(id, machines);
      ActorRef<RaftNodeActor.Command> ref = kit.spawn(RaftNodeActor.create(settings.get(id), () -> store, () -> {
        machines.incrementAndGet();
        return new DedupStateMachine(new TextLog());
      }, (message, cause) -> fatal.add(message)), "raft");
      assertThat(ActorRefResolver.get(kit.system()).toSerializationFormat(ref)).startsWith(paths.get(id) + "#");
      nodes.put(id, ref);
    }

    // Retries go to whoever leads now; the dedup wrapper makes a retried command apply once.
    byte[] first = new ClientCommand(1, 1, "hello".getBytes(StandardCharsets.UTF_8)).encode();
    RaftNodeActor.Applied applied = artery.propose(nodes, first);
    assertThat(ArteryNodes.text(applied)).isEqualTo("hello;");
    artery.awaitApplied(nodes, applied.index());

    // A linearizable read on the leader sees the write.
    RaftNodeActor.ReadResult read = artery.read(nodes);
    assertThat(read.index()).isGreaterThanOrEqualTo(applied.index());
    assertThat(new String(read.value(), StandardCharsets.UTF_8)).contains("hello;");

    // A follower forwards reads and proposals to the leader (RaftForwardingTest has the details): the
    // retried command is deduplicated and answers with its first result.
    long follower = artery.awaitFollower(nodes);
    TestProbe<RaftNodeActor.ReadReply> reads = kits.get(0).createTestProbe();
    nodes.get(follower).tell(new RaftNodeActor.Read(sm -> sm.snapshot(), reads.ref()));
    assertThat(new String(reads.expectMessageClass(RaftNodeActor.ReadResult.class, Duration.ofSeconds(5)).value(),
        StandardCharsets.UTF_8)).contains("hello;");
    TestProbe<RaftNodeActor.ProposeReply> probe = kits.get(0).createTestProbe();
    nodes.get(follower).tell(new RaftNodeActor.Propose(first, probe.ref()));
    assertThat(ArteryNodes.text(probe.expectMessageClass(RaftNodeActor.Applied.class, Duration.ofSeconds(5))))
        .isEqualTo("hello;");

    // A follower's store fails a write: its actor restarts and rebuilds from the store (snapshot every 5 + log).
    stores.get(follower).failNextAppend.set(true);
    long seq = 2;
    RaftNodeActor.Applied latest = null;
    for (; seq <= 8; seq++) {
      latest = artery.propose(nodes, new ClientCommand(1, seq, ("c" + seq).getBytes(StandardCharsets.UTF_8)).encode());
    }
    artery.awaitApplied(nodes, latest.index());
    assertThat(stores.get(follower).loads.get()).isEqualTo(2);
    assertThat(machinesCreated.get(follower).get()).isEqualTo(2); // a fresh state machine, rebuilt from storage
    assertThat(stores.get(follower).delegate.load().snapshot().index()).isPositive();

    // The leader's whole actor system goes away: the other two elect a new leader and go on.
    long leader = artery.awaitLeader(nodes, 0);
    ActorTestKit leaderKit = kitOf.get(leader);
    leaderKit.shutdownTestKit();
    kits.remove(leaderKit);
    Map<Long, ActorRef<RaftNodeActor.Command>> survivors = new HashMap<>(nodes);
    survivors.remove(leader);
    artery.awaitLeader(survivors, leader);
    RaftNodeActor.Applied second = artery.propose(survivors,
        new ClientCommand(1, seq, "world".getBytes(StandardCharsets.UTF_8)).encode());
    assertThat(ArteryNodes.text(second)).isEqualTo("hello;c2;c3;c4;c5;c6;c7;c8;world;");
    artery.awaitApplied(survivors, second.index());
    assertThat(fatal).as("fatal storage failures").isEmpty();
  }

  /**
   * The largest entry the configuration allows crosses Artery's default frame (so the reserve for
   * headers is enough), a larger one is refused at once, and a leader that cannot commit refuses
   * proposals beyond its uncommitted bytes with a retryable answer.
   */
  @Test
  void entryAndUncommittedLimitsOverArtery() {
    int perMessage = 256 * 1024 - RaftWire.FRAME_RESERVE; // Pekko's default maximum-frame-size, less the reserve
    int maxEntry = perMessage - Entry.OVERHEAD;
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorTestKit kit = ActorTestKit.create("master", ArteryNodes.config());
      kits.add(kit);
      paths.put(id, kit.system().address() + "/user/raft");
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      // Without check-quorum a leader keeps leading when its followers go away, so its refusal is certain.
      RaftConfig c = RaftConfig.builder(id).checkQuorum(false).maxBytesPerMessage(perMessage).maxEntryBytes(maxEntry)
          .maxUncommittedBytes(2L * perMessage).build();
      var settings = new RaftNodeActor.Settings(c, Duration.ofMillis(50), peers, List.of(1L, 2L, 3L), id, 0);
      nodes.put(id, kits.get((int) id - 1).spawn(RaftNodeActor.create(settings, InMemoryRaftPersistence::new,
          () -> new DedupStateMachine(new TextLog())), "raft"));
    }
    int header = new ClientCommand(1, 1, new byte[0]).encode().length;
    byte[] exact = new ClientCommand(1, 1, new byte[maxEntry - header]).encode();
    assertThat(exact).hasSize(maxEntry);
    RaftNodeActor.Applied applied = artery.propose(nodes, exact);
    artery.awaitApplied(nodes, applied.index()); // both followers got it: one append of a whole frame's worth

    long leader = artery.awaitLeader(nodes, 0);
    TestProbe<RaftNodeActor.ProposeReply> probe = kits.get((int) leader - 1).createTestProbe(); // outlives the followers
    nodes.get(leader).tell(new RaftNodeActor.Propose(new byte[maxEntry + 1], probe.ref()));
    assertThat(probe.expectMessageClass(RaftNodeActor.TooLarge.class, Duration.ofSeconds(5)))
        .isEqualTo(new RaftNodeActor.TooLarge(maxEntry + 1, maxEntry));

    List<ActorTestKit> followers = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      if (id != leader) {
        followers.add(kits.get((int) id - 1));
      }
    }
    for (ActorTestKit f : followers) {
      f.shutdownTestKit();
      kits.remove(f);
    }
    for (long seq = 2; seq <= 4; seq++) {
      nodes.get(leader).tell(new RaftNodeActor.Propose(new ClientCommand(1, seq, new byte[maxEntry - header]).encode(),
          probe.ref()));
    }
    // Two fit the 2 * perMessage bound and wait (nobody can acknowledge them); the third is refused.
    assertThat(probe.expectMessageClass(RaftNodeActor.RetryLater.class, Duration.ofSeconds(5)).reason())
        .contains("maxUncommittedBytes");
    probe.expectNoMessage(Duration.ofMillis(200));
  }

  /** A configuration whose appends would not fit the transport's frame stops the node at start. */
  @Test
  void appendsLargerThanTheFrameStopTheNode() {
    ActorTestKit kit = ActorTestKit.create("master", ConfigFactory.parseString(
        "pekko.remote.artery.advanced.maximum-frame-size = 64 KiB").withFallback(ArteryNodes.config()));
    kits.add(kit);
    var settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofMillis(50), Map.of(),
        List.of(1L), 1, 0);
    ActorRef<RaftNodeActor.Command> node = kit.spawn(RaftNodeActor.create(settings, InMemoryRaftPersistence::new,
        () -> new DedupStateMachine(new TextLog())), "raft");
    TestProbe<Object> probe = kit.createTestProbe();
    probe.expectTerminated(node, Duration.ofSeconds(10));
  }
}
