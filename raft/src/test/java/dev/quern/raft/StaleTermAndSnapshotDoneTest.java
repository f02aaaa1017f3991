package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Message.AppendEntries;
import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.Heartbeat;
import dev.quern.raft.Message.InstallSnapshot;
import dev.quern.raft.Message.InstallSnapshotResponse;
import dev.quern.raft.Message.SnapshotDone;
import dev.quern.raft.Message.StaleTerm;
import dev.quern.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The stale-term notice and the end of a snapshot transfer are messages of their own, not append answers. */
class StaleTermAndSnapshotDoneTest {

  private static List<Message> sent(Ready rd) {
    return Stream.concat(rd.messagesBeforePersist().stream(), rd.messages().stream()).toList();
  }

  private static Ready cycle(RaftCore c) {
    Ready rd = c.ready();
    c.advance(rd);
    return rd;
  }

  private static RaftConfig config(long id) {
    return RaftConfig.builder(id).preVote(false).snapshotChunkBytes(4).build();
  }

  @Test
  void aStaleAppendOrHeartbeatIsAnsweredWithStaleTermAndItDeposesTheLeader() {
    RaftCore follower = new RaftCore(config(2), new PersistentState(new HardState(5, 0, 0), Snapshot.EMPTY, List.of()),
        new SplittableRandom(1));
    follower.step(new AppendEntries(1, 2, 3, 0, 0, new ArrayList<>(), 0));
    follower.step(new Heartbeat(1, 2, 4, 0, 0));
    assertThat(sent(cycle(follower))).containsExactly(new StaleTerm(2, 1, 5), new StaleTerm(2, 1, 5));

    RaftCore leader = RaftCore.bootstrap(config(1), List.of(1L, 2L, 3L), new SplittableRandom(3));
    cycle(leader);
    while (leader.role() != Role.CANDIDATE) {
      leader.tick();
    }
    leader.step(new VoteResponse(2, 1, leader.term(), false, false));
    cycle(leader);
    assertThat(leader.isLeader()).isTrue();
    long term = leader.term();
    leader.step(new StaleTerm(3, 1, term + 2));
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    assertThat(leader.term()).isEqualTo(term + 2);
    assertThat(leader.leader()).isEqualTo(RaftCore.NONE);
    // A notice of an older term than ours changes nothing.
    leader.step(new StaleTerm(3, 1, term + 1));
    assertThat(leader.term()).isEqualTo(term + 2);
  }

  @Test
  void theLastChunkIsAnsweredWithSnapshotDoneAndTheLeaderGoesOnWithEntries() {
    Membership members = new Membership(List.of(1L, 2L), List.of());
    RaftCore follower = new RaftCore(config(2), PersistentState.EMPTY, new SplittableRandom(1));
    byte[] data = {1, 2, 3, 4, 5, 6};
    follower.step(new InstallSnapshot(1, 2, 7, 50, 6, members, 0, new byte[] {1, 2, 3, 4}, false));
    assertThat(sent(cycle(follower))).containsExactly(new InstallSnapshotResponse(2, 1, 7, 50, 4));
    follower.step(new InstallSnapshot(1, 2, 7, 50, 6, members, 4, new byte[] {5, 6}, true));
    Ready installed = cycle(follower);
    assertThat(installed.snapshot()).isEqualTo(new Snapshot(50, 6, members, data));
    assertThat(sent(installed)).containsExactly(new SnapshotDone(2, 1, 7, 50));
    // A snapshot the follower already covers is answered the same way, at once.
    follower.step(new InstallSnapshot(1, 2, 7, 40, 6, members, 0, new byte[] {1}, false));
    assertThat(sent(cycle(follower))).containsExactly(new SnapshotDone(2, 1, 7, 50));

    // The leader side: node 3 never answered, and the leader compacted its log meanwhile.
    RaftCore leader = RaftCore.bootstrap(config(1), List.of(1L, 2L, 3L), new SplittableRandom(3));
    cycle(leader);
    while (leader.role() != Role.CANDIDATE) {
      leader.tick();
    }
    leader.step(new VoteResponse(2, 1, leader.term(), false, false));
    cycle(leader);
    long term = leader.term();
    long noop = leader.lastIndex();
    leader.step(new AppendResponse(2, 1, term, noop, false, 0, 0));
    cycle(leader);
    leader.createSnapshot(leader.appliedIndex(), new byte[] {9});
    long index = leader.propose(new byte[] {42});
    cycle(leader);
    // Node 3 rejects the leader's first probe (it has nothing): its entries are compacted, so the snapshot goes.
    leader.step(new AppendResponse(3, 1, term, noop - 1, true, 0, 0));
    List<Message> out = sent(cycle(leader));
    assertThat(out).singleElement().isInstanceOf(InstallSnapshot.class);
    assertThat(((InstallSnapshot) out.get(0)).index()).isEqualTo(noop);
    // Node 3 installed it: SnapshotDone puts it back on entries.
    leader.step(new SnapshotDone(3, 1, term, noop));
    assertThat(leader.matchIndex(3)).isEqualTo(noop);
    List<Message> after = sent(cycle(leader));
    assertThat(after).filteredOn(m -> m instanceof AppendEntries && m.to() == 3).singleElement()
        .satisfies(m -> assertThat(((AppendEntries) m).entries()).extracting(Entry::index).containsExactly(index));
  }
}
