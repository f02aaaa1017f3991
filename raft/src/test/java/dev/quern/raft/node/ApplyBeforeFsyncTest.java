package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Message;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.StateMachine;
import dev.quern.raft.storage.Fsync;
import dev.quern.raft.storage.RaftLogStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Ready that commits an entry and brings a newer one applies the committed entry before it syncs
 * the newer one: the commit is durable on a majority already, so its answer does not wait for this
 * node's next fsync. The acknowledgement of the newer entry still waits for that fsync. Node 1 runs
 * for real on the WAL (a follower, its timer one tick an hour); its peers are test probes, leader 2
 * plays the leader.
 */
class ApplyBeforeFsyncTest {

  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final ActorTestKit kit = ActorTestKit.create("applyearly");

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** Forces for real; once armed, the next force waits (holding the actor's thread) until released. */
  private static final class HeldFsync implements Fsync {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void force(FileChannel channel, Path file, boolean metadata) throws IOException {
      if (armed.compareAndSet(true, false)) {
        entered.countDown();
        try {
          if (!release.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
            throw new IOException("the test never released the held fsync");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      channel.force(metadata);
    }
  }

  /** Completes {@link #appliedFour} when it applies entry 4's command. */
  private static final class Recorder implements StateMachine {
    final CompletableFuture<Void> appliedFour = new CompletableFuture<>();

    @Override
    public byte[] apply(byte[] command) {
      if (command.length == 1 && command[0] == 4) {
        appliedFour.complete(null);
      }
      return new byte[0];
    }

    @Override
    public byte[] snapshot() {
      return new byte[0];
    }

    @Override
    public void restore(byte[] snapshot) {
    }
  }

  /** Leader 2's append of one entry at {@code index} (term 2) with commit {@code index - 1}. */
  private static RaftNodeActor.Inbound append(long index) {
    long prevTerm = index - 1 <= 3 ? 1 : 2;
    return new RaftNodeActor.Inbound(new Message.AppendEntries(2, 1, 2, index - 1, prevTerm,
        new ArrayList<>(List.of(new Entry(2, index, EntryType.NORMAL, new byte[] {(byte) index}))), index - 1));
  }

  private static Message.AppendResponse nextAppendResponse(TestProbe<RaftNodeActor.Command> peer) {
    while (true) {
      if (((RaftNodeActor.Inbound) peer.receiveMessage(BOUND)).message() instanceof Message.AppendResponse r) {
        return r;
      }
    }
  }

  @Test
  void aCommittedEntryIsAppliedBeforeTheFsyncOfANewerOne() throws Exception {
    HeldFsync fsync = new HeldFsync();
    Recorder machine = new Recorder();
    TestProbe<RaftNodeActor.Command> two = kit.createTestProbe();
    TestProbe<RaftNodeActor.Command> three = kit.createTestProbe();
    ActorRefResolver resolver = ActorRefResolver.get(kit.system());
    RaftNodeActor.Settings settings = new RaftNodeActor.Settings(RaftConfig.defaults(1), Duration.ofHours(1),
        Map.of(2L, resolver.toSerializationFormat(two.ref()), 3L, resolver.toSerializationFormat(three.ref())),
        List.of(1L, 2L, 3L), 1, 0);
    ActorRef<RaftNodeActor.Command> node = kit.spawn(RaftNodeActor.create(settings,
        WalRaftPersistence.reopening(dir, new RaftLogStore.Options(64L << 20, fsync)), () -> machine), "raft");

    node.tell(append(4)); // entry 4, commit 3: stored and acknowledged, not yet known committed
    assertThat(nextAppendResponse(two).index()).isEqualTo(4);
    assertThat(machine.appliedFour).isNotDone();

    fsync.armed.set(true);
    node.tell(append(5)); // entry 5 to write, and commit 4: one Ready
    assertThat(fsync.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the fsync of entry 5 began").isTrue();
    // The actor's thread is inside that fsync now: entry 4 was applied before it.
    assertThat(machine.appliedFour).as("entry 4 applied before the fsync of entry 5 returned").isDone();

    fsync.release.countDown();
    Message.AppendResponse ack = nextAppendResponse(two);
    assertThat(ack.reject()).isFalse();
    assertThat(ack.index()).isEqualTo(5);
  }
}
