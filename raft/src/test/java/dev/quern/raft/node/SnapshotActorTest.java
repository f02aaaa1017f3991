package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.Snapshot;
import dev.quern.raft.SnapshotImage;
import dev.quern.raft.StateMachine;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.storage.RaftLogStore;
import dev.quern.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots in the node: written on another thread from a frozen image while the actor goes on
 * applying, taken by size, and streamed from the leader's WAL to a new node's WAL in windowed chunks.
 */
class SnapshotActorTest {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private final List<ActorTestKit> kits = new ArrayList<>();
  private final List<String> fatal = new CopyOnWriteArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void shutdown() {
    kits.forEach(ActorTestKit::shutdownTestKit);
    assertThat(fatal).isEmpty();
  }

  /** TextLog that publishes its text after every change, for the test thread to read. */
  private static final class PublishedText implements StateMachine {
    final TextLog inner = new TextLog();
    final AtomicReference<String> text;

    PublishedText(AtomicReference<String> text) {
      this.text = text;
      text.set("");
    }

    @Override
    public byte[] apply(byte[] command) {
      byte[] result = inner.apply(command);
      text.set(new String(result, StandardCharsets.UTF_8));
      return new byte[0];
    }

    @Override
    public byte[] snapshot() {
      return inner.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
      inner.restore(snapshot);
      text.set(new String(snapshot, StandardCharsets.UTF_8));
    }
  }

  /** An in-memory store that records the snapshots saved into it. */
  private static final class RecordingStore implements RaftPersistence {
    final InMemoryRaftPersistence delegate = new InMemoryRaftPersistence();
    final List<Snapshot> saved = new CopyOnWriteArrayList<>();

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
      saved.add(snapshot);
      delegate.saveSnapshot(snapshot);
    }

    @Override
    public void sync() {
    }
  }

  private static String text(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append('c').append(i).append(';');
    }
    return b.toString();
  }

  @Test
  void aSlowSnapshotDoesNotHoldUpTheNodeAndHoldsTheStateOfItsIndex() throws Exception {
    ActorTestKit kit = ActorTestKit.create("single");
    kits.add(kit);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger images = new AtomicInteger();
    AtomicReference<String> text = new AtomicReference<>();
    RecordingStore store = new RecordingStore();
    RaftMonitor monitor = new RaftMonitor();
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofMillis(20),
        Map.of(), List.of(1L), 1, 5, monitor);
    ActorRef<RaftNodeActor.Command> node = kit.spawn(RaftNodeActor.create(settings, () -> store,
        () -> new StateMachine() {
          final PublishedText inner = new PublishedText(text);

          @Override
          public byte[] apply(byte[] command) {
            return inner.apply(command);
          }

          @Override
          public byte[] snapshot() {
            return inner.snapshot();
          }

          @Override
          public void restore(byte[] snapshot) {
            inner.restore(snapshot);
          }

          /** Frozen now; written only once the test lets it. */
          @Override
          public SnapshotImage snapshotImage() {
            images.incrementAndGet();
            byte[] frozen = inner.snapshot();
            return out -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              out.write(frozen);
            };
          }
        }, (message, cause) -> fatal.add(message)), "raft");
    Await.until(BOUND, "node 1 to lead", () -> monitor.status().map(RaftStatus::isLeader).orElse(false));

    TestProbe<RaftNodeActor.ProposeReply> replies = kit.createTestProbe();
    for (int i = 1; i <= 12; i++) {
      node.tell(new RaftNodeActor.Propose(("c" + i).getBytes(StandardCharsets.UTF_8), replies.ref()));
      // Index 1 is the founding configuration, 2 the leader's no-op: command i is at index i + 2.
      assertThat(replies.expectMessageClass(RaftNodeActor.Applied.class, Duration.ofSeconds(10)).index())
          .isEqualTo(i + 2);
    }
    // All twelve applied while the first snapshot (at index 5) is still being written.
    assertThat(text.get()).isEqualTo(text(1, 12));
    assertThat(images.get()).isEqualTo(1);
    assertThat(store.saved).isEmpty();
    assertThat(store.delegate.load().entries()).hasSize(14); // nothing compacted yet

    release.countDown();
    Await.until(BOUND, "the snapshots at 5 and then at 14", () -> store.saved.size() == 2
        && monitor.status().orElseThrow().snapshotIndex() == 14);
    assertThat(store.saved.get(0).index()).isEqualTo(5);
    assertThat(new String(store.saved.get(0).data(), StandardCharsets.UTF_8)).isEqualTo(text(1, 3));
    assertThat(store.saved.get(1).index()).isEqualTo(14);
    assertThat(new String(store.saved.get(1).data(), StandardCharsets.UTF_8)).isEqualTo(text(1, 12));
    assertThat(store.delegate.load().entries()).isEmpty();
  }

  private static Config config() {
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

  @Test
  void aNewNodeCatchesUpFromTheLeadersSnapshotFileStreamedInWindowedChunks() throws Exception {
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorTestKit kit = ActorTestKit.create("master", config());
      kits.add(kit);
      paths.put(id, kit.system().address() + "/user/raft");
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    Map<Long, RaftMonitor> monitors = new HashMap<>();
    Map<Long, AtomicReference<String>> texts = new HashMap<>();
    // By size only (no count), 1 KiB chunks with 4 KiB in flight.
    RaftLogStore.Options wal = new RaftLogStore.Options(16 * 1024);
    java.util.function.LongConsumer start = id -> {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      RaftConfig config = RaftConfig.builder(id).snapshotChunkBytes(1024).snapshotInflightBytes(4096)
          .snapshotAfterBytes(8 * 1024).build();
      RaftMonitor monitor = new RaftMonitor();
      monitors.put(id, monitor);
      AtomicReference<String> text = new AtomicReference<>("");
      texts.put(id, text);
      RaftNodeActor.Settings settings = new RaftNodeActor.Settings(config, Duration.ofMillis(50), peers,
          List.of(1L, 2L, 3L), id, 0, monitor);
      nodes.put(id, kits.get((int) id - 1).spawn(RaftNodeActor.create(settings,
          WalRaftPersistence.reopening(tmp.resolve("node-" + id), wal), () -> new PublishedText(text),
          (message, cause) -> fatal.add(message)), "raft"));
    };
    start.accept(1);
    start.accept(2);
    Await.until(BOUND, "node 1 or 2 to lead", () -> leader(monitors) != 0);

    TestProbe<RaftNodeActor.ProposeReply> replies = kits.get(0).createTestProbe();
    String pad = "x".repeat(300);
    for (int i = 1; i <= 60; i++) {
      byte[] command = ("c" + i + pad).getBytes(StandardCharsets.UTF_8);
      RaftNodeActor.ProposeReply reply = null;
      for (int attempt = 0; attempt < 10 && !(reply instanceof RaftNodeActor.Applied); attempt++) {
        nodes.get(leaderAwaited(monitors)).tell(new RaftNodeActor.Propose(command, replies.ref()));
        reply = replies.receiveMessage(Duration.ofSeconds(10));
      }
      assertThat(reply).isInstanceOf(RaftNodeActor.Applied.class);
    }
    long leader = leaderAwaited(monitors);
    RaftMetrics leaderMetrics = monitors.get(leader).metrics();
    Await.until(BOUND, "the leader to take snapshots by size", () -> leaderMetrics.get(Counter.SNAPSHOTS_TAKEN) >= 2);
    long snapshotIndex = monitors.get(leader).status().orElseThrow().snapshotIndex();
    assertThat(snapshotIndex).isGreaterThan(1); // node 3 cannot catch up from the log

    start.accept(3);
    RaftMonitor third = monitors.get(3L);
    Await.until(BOUND, "node 3 to install a snapshot and apply what the leader did",
        () -> third.metrics().get(Counter.SNAPSHOTS_INSTALLED) == 1
            && texts.get(3L).get().equals(texts.get(leader).get()));
    assertThat(texts.get(3L).get()).startsWith("c1" + pad + ";").endsWith("c60" + pad + ";");
    long sent = leaderMetrics.get(Counter.SNAPSHOT_BYTES_SENT);
    assertThat(sent).as("file bytes streamed").isGreaterThan(4 * 1024);
    // The image holds every command up to the snapshot's index (at least those before the snapshot
    // index minus the leaders' no-ops and the configuration entry; each command is 300+ bytes).
    assertThat(third.metrics().get(Counter.SNAPSHOT_BYTES_INSTALLED)).isGreaterThan(8 * 1024);
    try (Stream<Path> files = Files.list(tmp.resolve("node-3"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).anyMatch(n -> n.startsWith("snap-") && n.endsWith(".snap")).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private static long leader(Map<Long, RaftMonitor> monitors) {
    for (Map.Entry<Long, RaftMonitor> e : monitors.entrySet()) {
      if (e.getValue().status().map(RaftStatus::isLeader).orElse(false)) {
        return e.getKey();
      }
    }
    return 0;
  }

  private static long leaderAwaited(Map<Long, RaftMonitor> monitors) {
    Await.until(BOUND, "a leader", () -> leader(monitors) != 0);
    return leader(monitors);
  }
}
