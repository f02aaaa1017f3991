package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import dev.quern.raft.Message.InstallSnapshot;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.RaftLogStore;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's snapshot transfer without actors: a leader's {@link SnapshotSender} streams the
 * snapshot file of its WAL store to a follower's {@link SnapshotInbox}, which writes it to a temp file
 * in its own WAL directory, over a channel that loses (and once damages) messages, seeded. The
 * follower ends with the leader's snapshot, byte for byte, installed from the received file.
 */
@ExtendWith(Seeds.class)
class SnapshotTransferTest {

  private static final int CHUNK = 4096;
  private static final long WINDOW = 4 * CHUNK;
  private static final Membership MEMBERS = new Membership(List.of(1L, 2L), List.of());

  @TempDir
  Path tmp;

  /** Messages in flight one way, in order (as over TCP); each may be lost. */
  private static final class Channel {
    final ArrayDeque<Message> queue = new ArrayDeque<>();
  }

  private Snapshot leaderSnapshot(WalRaftPersistence leader, SplittableRandom rnd) {
    List<Entry> entries = new ArrayList<>();
    for (long i = 1; i <= 50; i++) {
      entries.add(new Entry(1, i, EntryType.NORMAL, new byte[] {(byte) i}));
    }
    leader.append(entries);
    leader.saveHardState(new HardState(1, 1, 50));
    leader.sync();
    byte[] data = new byte[70_000 + rnd.nextInt(30_000)]; // 18-25 chunks
    rnd.nextBytes(data);
    Snapshot s = new Snapshot(40, 1, MEMBERS, data);
    leader.saveSnapshot(s);
    leader.sync();
    return s;
  }

  /** A follower of node 1 in term 1. */
  private static RaftCore follower() {
    RaftCore core = new RaftCore(RaftConfig.defaults(2), PersistentState.EMPTY, new SplittableRandom(1));
    core.step(new Message.Heartbeat(1, 2, 1, 0, 0));
    return core;
  }

  @Test
  void aSnapshotCrossesALossyChannelWithSeveralChunksInFlight(Seed seed) throws IOException {
    for (double loss : new double[] {0, 0.05, 0.2}) {
      transfer(seed, loss, false, "loss-" + loss);
    }
  }

  @Test
  void aFileDamagedOnTheWayIsRefusedAndSentAgain(Seed seed) throws IOException {
    List<String> warnings = transfer(seed, 0.05, true, "damaged");
    assertThat(warnings).singleElement().asString().contains("refused").contains("CRC mismatch");
  }

  private List<String> transfer(Seed seed, double loss, boolean damageOnce, String name) throws IOException {
    SplittableRandom rnd = seed.random();
    RaftLogStore.Options options = new RaftLogStore.Options(1 << 20);
    Path leaderDir = tmp.resolve(name + "-leader");
    Path followerDir = tmp.resolve(name + "-follower");
    WalRaftPersistence leader = WalRaftPersistence.open(leaderDir, options);
    WalRaftPersistence followerStore = WalRaftPersistence.open(followerDir, options);
    Snapshot expected = leaderSnapshot(leader, rnd);
    RaftCore core = follower();

    Channel toFollower = new Channel();
    Channel toLeader = new Channel();
    List<String> warnings = new ArrayList<>();
    long[] chunksSent = {0};
    SnapshotSender sender = new SnapshotSender(1, CHUNK, WINDOW, leader::openSnapshot, m -> {
      chunksSent[0]++;
      toFollower.queue.add(m);
    }, bytes -> { });
    SnapshotInbox inbox = new SnapshotInbox(2, followerStore::receiveSnapshot, toLeader.queue::add, warnings::add);
    InstallSnapshot request = new InstallSnapshot(1, 2, 1, 40, 1, MEMBERS, 0, new byte[0], true);

    InstallSnapshot announced = null;
    long maxInflight = 0;
    int heartbeats = 0;
    sender.request(request);
    while (announced == null) {
      assertThat(heartbeats).as("heartbeats until the transfer completes").isLessThan(2000);
      if (toFollower.queue.isEmpty() && toLeader.queue.isEmpty()) {
        heartbeats++;
        sender.request(request); // the core asks again at every heartbeat until the follower is done
        continue;
      }
      maxInflight = Math.max(maxInflight, sender.inflightBytes(2));
      assertThat(sender.inflightBytes(2)).isLessThanOrEqualTo(WINDOW);
      if (!toFollower.queue.isEmpty()) {
        InstallSnapshot chunk = (InstallSnapshot) toFollower.queue.poll();
        // Until the follower has refused a file once: a damaged chunk may be one the inbox drops
        // (out of order behind a lost one), so damaging a single chunk may never reach the file.
        if (damageOnce && warnings.isEmpty() && chunk.offset() > 0
            && chunk.chunk().length > 100) {
          byte[] bytes = chunk.chunk().clone();
          bytes[rnd.nextInt(bytes.length)] ^= 0x10;
          chunk = new InstallSnapshot(chunk.from(), chunk.to(), chunk.term(), chunk.index(), chunk.snapshotTerm(),
              chunk.membership(), chunk.offset(), bytes, chunk.done());
        } else if (rnd.nextDouble() < loss) {
          continue;
        }
        announced = inbox.chunk(chunk, core);
      }
      if (!toLeader.queue.isEmpty()) {
        Message answer = toLeader.queue.poll();
        if (rnd.nextDouble() >= loss) {
          sender.acknowledged((Message.InstallSnapshotResponse) answer);
        }
      }
    }
    assertThat(maxInflight).as("bytes in flight at once").isGreaterThan(CHUNK);
    long fileBytes;
    try (SnapshotSource source = leader.openSnapshot()) {
      fileBytes = source.length();
    }
    long fileChunks = (fileBytes + CHUNK - 1) / CHUNK;
    if (loss == 0 && !damageOnce) {
      assertThat(chunksSent[0]).isEqualTo(fileChunks);
    }
    assertThat(announced.index()).isEqualTo(40);
    assertThat(announced.chunk()).isEmpty();
    assertThat(announced.membership()).isEqualTo(MEMBERS);

    // The node installs the verified file when the core's Ready asks for it.
    SnapshotSink.Received received = inbox.take(new Snapshot(40, 1, MEMBERS, null));
    assertThat(received.snapshot()).isEqualTo(expected);
    followerStore.installSnapshot(received.snapshot(), received.file());
    followerStore.sync();
    sender.done(2);
    leader.close();
    followerStore.close();

    WalRaftPersistence reopened = WalRaftPersistence.open(followerDir, options);
    assertThat(reopened.load().snapshot()).isEqualTo(expected);
    reopened.close();
    try (Stream<Path> files = Files.list(followerDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
    }
    return warnings;
  }
}
