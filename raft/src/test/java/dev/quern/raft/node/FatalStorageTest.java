package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Message;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.StateMachine;
import dev.quern.raft.storage.RaftLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-stop on the durable WAL: a node whose fsync fails (of the active segment, or of the segment
 * it seals when it rolls) reports to its {@link FatalHandler} and stops without sending the
 * acknowledgement that depended on it; a node whose log is damaged refuses to start, naming the
 * file and offset. Node 1 runs for real; its peers 2 and 3 are test probes, so the test sees every
 * message it sends. Its timer never fires (one tick an hour), so it only ever answers.
 */
class FatalStorageTest {

  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final ActorTestKit kit = ActorTestKit.create("fatal");

  /** The recorded call to the fatal handler. */
  private final CompletableFuture<String> fatal = new CompletableFuture<>();
  private final AtomicInteger fatalCalls = new AtomicInteger();
  private final AtomicInteger stateMachines = new AtomicInteger();

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** A state machine that only counts. */
  private static final class Counter implements StateMachine {
    private int applied;

    @Override
    public byte[] apply(byte[] command) {
      applied++;
      return ByteBuffer.allocate(4).putInt(applied).array();
    }

    @Override
    public byte[] snapshot() {
      return ByteBuffer.allocate(4).putInt(applied).array();
    }

    @Override
    public void restore(byte[] snapshot) {
      applied = ByteBuffer.wrap(snapshot).getInt();
    }
  }

  /** Forces for real until {@link #failing} is set, then fails every force with EIO. */
  private static final class FaultyFsync implements dev.quern.raft.storage.Fsync {
    final AtomicBoolean failing = new AtomicBoolean();
    final List<Path> failed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void force(java.nio.channels.FileChannel channel, Path file, boolean metadata) throws IOException {
      if (failing.get()) {
        failed.add(file);
        throw new IOException("injected EIO");
      }
      channel.force(metadata);
    }
  }

  private ActorRef<RaftNodeActor.Command> spawnNode(RaftLogStore.Options options, TestProbe<RaftNodeActor.Command> two,
                           TestProbe<RaftNodeActor.Command> three) {
    ActorRefResolver resolver = ActorRefResolver.get(kit.system());
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofHours(1),
        Map.of(2L, resolver.toSerializationFormat(two.ref()), 3L, resolver.toSerializationFormat(three.ref())),
        List.of(1L, 2L, 3L), 1, 0);
    return kit.spawn(RaftNodeActor.create(settings, WalRaftPersistence.reopening(dir, options), () -> {
      stateMachines.incrementAndGet();
      return new Counter();
    }, (message, cause) -> {
      fatalCalls.incrementAndGet();
      fatal.complete(message);
    }), "raft");
  }

  /** Leader 2's append of one entry at {@code index} (term 2), after the founders' three entries. */
  private static RaftNodeActor.Inbound append(long index) {
    long prevTerm = index - 1 <= 3 ? 1 : 2;
    return new RaftNodeActor.Inbound(new Message.AppendEntries(2, 1, 2, index - 1, prevTerm,
        new ArrayList<>(List.of(new Entry(2, index, EntryType.NORMAL, new byte[] {(byte) index}))), index - 1));
  }

  /** The next message node 1 sent to {@code peer} that is an append response. */
  private static Message.AppendResponse nextAppendResponse(TestProbe<RaftNodeActor.Command> peer) {
    while (true) {
      if (((RaftNodeActor.Inbound) peer.receiveMessage(BOUND)).message() instanceof Message.AppendResponse r) {
        return r;
      }
    }
  }

  /**
   * Everything node 1 ever sent to {@code peer} and the probe has not taken yet. Call only once
   * node 1 has stopped: the marker sent now is queued behind all of them.
   */
  private static List<Message> drain(TestProbe<RaftNodeActor.Command> peer) {
    Message.Heartbeat marker = new Message.Heartbeat(99, 2, 99, 0, 99);
    peer.ref().tell(new RaftNodeActor.Inbound(marker));
    List<Message> seen = new ArrayList<>();
    while (true) {
      Message m = ((RaftNodeActor.Inbound) peer.receiveMessage(BOUND)).message();
      if (m.equals(marker)) {
        return seen;
      }
      seen.add(m);
    }
  }

  @Test
  void aFailedFsyncStopsTheNodeBeforeItAcknowledges() throws Exception {
    failedForceIsFatal(new RaftLogStore.Options(64L << 20, new FaultyFsync()), false);
  }

  @Test
  void aFailedForceWhenSealingASegmentStopsTheNodeBeforeItAcknowledges() throws Exception {
    // One-byte segments: every write first seals the segment it would go to and starts a new one.
    failedForceIsFatal(new RaftLogStore.Options(1, new FaultyFsync()), true);
  }

  private void failedForceIsFatal(RaftLogStore.Options options, boolean rolls) throws Exception {
    FaultyFsync fsync = (FaultyFsync) options.fsync();
    TestProbe<RaftNodeActor.Command> two = kit.createTestProbe();
    TestProbe<RaftNodeActor.Command> three = kit.createTestProbe();
    TestProbe<Object> watcher = kit.createTestProbe();
    ActorRef<RaftNodeActor.Command> node = spawnNode(options, two, three);

    node.tell(append(4));
    Message.AppendResponse ack = nextAppendResponse(two);
    assertThat(ack.reject()).isFalse();
    assertThat(ack.index()).isEqualTo(4);

    List<Path> segmentsBefore = segments();
    long sizeBefore = Files.size(segmentsBefore.get(segmentsBefore.size() - 1));
    fsync.failing.set(true);
    node.tell(append(5));
    String message = fatal.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    watcher.expectTerminated(node, BOUND);

    assertThat(fsync.failed).hasSize(1);
    Path failedFile = fsync.failed.get(0);
    assertThat(message).contains("fsync").contains("injected EIO").contains(failedFile.toString());
    assertThat(fatalCalls.get()).isOne();
    // Where the force failed: sealing the old segment, before the new records were written; or the
    // active segment, after they were.
    assertThat(segments()).isEqualTo(segmentsBefore);
    assertThat(failedFile).isEqualTo(segmentsBefore.get(segmentsBefore.size() - 1));
    if (rolls) {
      assertThat(Files.size(failedFile)).isEqualTo(sizeBefore);
    } else {
      assertThat(Files.size(failedFile)).isGreaterThan(sizeBefore);
    }
    // Nothing acknowledged entry 5, and the node was not restarted to try again.
    assertThat(drain(two)).noneMatch(m -> m instanceof Message.AppendResponse r && r.index() >= 5);
    assertThat(drain(three)).isEmpty();
    assertThat(stateMachines.get()).isOne();
  }

  @Test
  void aDamagedLogRefusesToStartAndNamesTheFileAndOffset() throws Exception {
    try (WalRaftPersistence store = WalRaftPersistence.open(dir, RaftLogStore.Options.defaults())) {
      for (long i = 1; i <= 8; i++) {
        store.append(List.of(new Entry(1, i, EntryType.NORMAL, new byte[24])));
        store.saveHardState(new HardState(1, 2, i - 1));
        store.sync();
      }
    }
    Path segment = segments().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int flip = bytes.length / 2; // a synced record, with synced records after it
    bytes[flip] ^= 0x01;
    Files.write(segment, bytes);

    TestProbe<RaftNodeActor.Command> two = kit.createTestProbe();
    TestProbe<RaftNodeActor.Command> three = kit.createTestProbe();
    TestProbe<Object> watcher = kit.createTestProbe();
    ActorRef<RaftNodeActor.Command> node = spawnNode(RaftLogStore.Options.defaults(), two, three);
    String message = fatal.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    watcher.expectTerminated(node, BOUND);

    java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(segment.toString())
        + " at offset (\\d+): damaged record").matcher(message);
    assertThat(m.find()).as(message).isTrue();
    long offset = Long.parseLong(m.group(1));
    assertThat(offset).isLessThanOrEqualTo(flip).isGreaterThan(flip - 14 - 17 - 24);
    assertThat(fatalCalls.get()).isOne();
    assertThat(stateMachines.get()).as("it stopped before building anything").isZero();
    assertThat(drain(two)).isEmpty();
    assertThat(Files.readAllBytes(segment)).as("the damaged file is left for inspection").isEqualTo(bytes);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList();
    }
  }
}
