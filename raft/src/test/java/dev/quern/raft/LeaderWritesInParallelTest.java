package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Message.AppendEntries;
import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.VoteResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Raft thesis 10.2.1, step by step: the leader's appends leave before its own write, and the leader
 * counts itself toward a commit only for entries the driver has reported durable (advance).
 */
class LeaderWritesInParallelTest {

  private static final byte[] CMD = {42};
  /** An election timeout is 10-20 ticks: a core that needs more has a bug, and the loop must end. */
  private static final int MAX_TICKS = 100;
  private static final int MAX_READY_BATCHES = 100;

  @Test
  void appendsGoBeforePersistButVotesAndAcksWait() {
    RaftConfig cfg = RaftConfig.builder(1).preVote(false).build();
    RaftCore leader = RaftCore.bootstrap(cfg, List.of(1L, 2L, 3L), new SplittableRandom(5));
    drain(leader);
    for (int ticks = 0; leader.role() != Role.CANDIDATE; ticks++) {
      assertThat(ticks).as("ticks before the election timeout").isLessThan(MAX_TICKS);
      leader.tick();
    }
    Ready campaign = leader.ready();
    assertThat(campaign.messagesBeforePersist()).isEmpty(); // a vote request reveals an unsynced term
    assertThat(campaign.messages()).hasSize(2);
    leader.advance(campaign);
    long term = leader.term();
    leader.step(new VoteResponse(2, 1, term, false, false));
    drain(leader);
    long noop = leader.lastIndex();
    leader.step(new AppendResponse(2, 1, term, noop, false, 0, 0));
    drain(leader);
    assertThat(leader.commitIndex()).isEqualTo(noop);

    long index = leader.propose(CMD);
    Ready rd = leader.ready();
    assertThat(rd.entries()).extracting(Entry::index).containsExactly(index);
    assertThat(rd.messagesBeforePersist()).isNotEmpty().allSatisfy(m -> {
      assertThat(m).isInstanceOf(AppendEntries.class);
      assertThat(((AppendEntries) m).commit()).isLessThan(index);
    });
    assertThat(rd.messages()).noneMatch(m -> m instanceof AppendEntries);
    assertThat(rd.committedEntries()).isEmpty();
    leader.advance(rd);

    // A follower persists before it acknowledges: its ack goes out after its own write.
    RaftCore follower = new RaftCore(RaftConfig.defaults(2), PersistentState.EMPTY, new SplittableRandom(6));
    drain(follower);
    follower.step(new AppendEntries(1, 2, term, 0, 0, List.of(new Entry(term, 1, EntryType.NO_OP, null)), 0));
    Ready ack = follower.ready();
    assertThat(ack.entries()).hasSize(1);
    assertThat(ack.messagesBeforePersist()).isEmpty();
    assertThat(ack.messages()).singleElement().isInstanceOf(AppendResponse.class);
    follower.advance(ack);
  }

  @Test
  void followersAloneCommitWhatTheLeaderHasNotWritten() {
    RaftConfig cfg = RaftConfig.builder(1).preVote(false).build();
    RaftCore leader = RaftCore.bootstrap(cfg, List.of(1L, 2L, 3L), new SplittableRandom(7));
    drain(leader);
    for (int ticks = 0; leader.role() != Role.CANDIDATE; ticks++) {
      assertThat(ticks).as("ticks before the election timeout").isLessThan(MAX_TICKS);
      leader.tick();
    }
    drain(leader);
    long term = leader.term();
    leader.step(new VoteResponse(2, 1, term, false, false));
    drain(leader);
    long noop = leader.lastIndex();
    leader.step(new AppendResponse(2, 1, term, noop, false, 0, 0));
    leader.step(new AppendResponse(3, 1, term, noop, false, 0, 0));
    drain(leader);

    long index = leader.propose(CMD);
    Ready rd = leader.ready();
    leader.advance(rd);
    // The leader's write is durable now, but one copy of three is no majority.
    assertThat(leader.commitIndex()).isLessThan(index);
    assertThat(leader.matchIndex(1)).isEqualTo(index);
    // Two durable follower copies are a majority without the leader's.
    leader.step(new AppendResponse(2, 1, term, index, false, 0, 0));
    assertThat(leader.commitIndex()).isEqualTo(index);
  }

  @Test
  void aLoneVoterCommitsItsEntryOnlyAfterWritingIt() {
    // One voter and one learner: before, the leader committed on append, and its early append would
    // have told the learner "committed" about an entry a crash of the leader could still lose.
    List<Entry> log = List.of(
        new Entry(1, 1, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, 1).encode()),
        new Entry(1, 2, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_LEARNER, 2).encode()));
    RaftCore leader = new RaftCore(RaftConfig.builder(1).preVote(false).build(),
        new PersistentState(new HardState(1, 0, 2), Snapshot.EMPTY, log), new SplittableRandom(9));
    drain(leader);
    for (int ticks = 0; !leader.isLeader(); ticks++) {
      assertThat(ticks).as("ticks before a lone voter leads").isLessThan(MAX_TICKS);
      leader.tick();
    }
    drain(leader); // the election Ready changes the term: everything waits for the write
    leader.step(new AppendResponse(2, 1, leader.term(), leader.lastIndex(), false, 0, 0)); // learner has the no-op
    drain(leader);
    long index = leader.propose(CMD);
    Ready rd = leader.ready();
    assertThat(rd.messagesBeforePersist()).singleElement().satisfies(m -> {
      AppendEntries a = (AppendEntries) m;
      assertThat(a.entries()).extracting(Entry::index).contains(index);
      assertThat(a.commit()).isLessThan(index);
    });
    assertThat(rd.committedEntries()).extracting(Entry::index).doesNotContain(index);
    assertThat(leader.commitIndex()).isLessThan(index);
    leader.advance(rd);
    assertThat(leader.commitIndex()).isEqualTo(index);
    Ready next = leader.ready();
    assertThat(next.committedEntries()).extracting(Entry::index).contains(index);
  }

  /** Hands every Ready back; a core that keeps producing them without new input fails the test. */
  private static void drain(RaftCore c) {
    for (int batches = 0; c.hasReady(); batches++) {
      assertThat(batches).as("Ready batches without new input").isLessThan(MAX_READY_BATCHES);
      c.advance(c.ready());
    }
  }
}
