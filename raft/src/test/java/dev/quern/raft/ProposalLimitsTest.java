package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.Heartbeat;
import dev.quern.raft.Message.VoteResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What propose refuses, and how: an entry too large for any append, and a leader holding too much uncommitted. */
class ProposalLimitsTest {

  private static final int MAX_ENTRY = 1000;
  private static final long MAX_UNCOMMITTED = 10_000;

  private static RaftConfig config(long id) {
    return RaftConfig.builder(id).preVote(false).maxEntryBytes(MAX_ENTRY).maxBytesPerMessage(4096)
        .maxInflightBytes(8192).maxUncommittedBytes(MAX_UNCOMMITTED).build();
  }

  /** Node 1 of {1, 2, 3}, elected with node 2's vote, its no-op not acknowledged by anyone. */
  private static RaftCore leader() {
    RaftCore c = RaftCore.bootstrap(config(1), List.of(1L, 2L, 3L), new SplittableRandom(5));
    c.advance(c.ready());
    campaign(c);
    return c;
  }

  private static void campaign(RaftCore c) {
    while (c.role() != Role.CANDIDATE) {
      c.tick();
    }
    c.step(new VoteResponse(2, 1, c.term(), false, false));
    c.advance(c.ready());
    assertThat(c.role()).isEqualTo(Role.LEADER);
  }

  @Test
  void anEntryLargerThanMaxEntryBytesIsRefusedEverywhere() {
    RaftCore l = leader();
    assertThat(l.propose(new byte[MAX_ENTRY])).isPositive();
    assertThatThrownBy(() -> l.propose(new byte[MAX_ENTRY + 1]))
        .isInstanceOf(EntryTooLargeException.class)
        .hasMessage("entry of 1001 bytes exceeds maxEntryBytes 1000")
        .satisfies(e -> assertThat(((EntryTooLargeException) e).limit()).isEqualTo(MAX_ENTRY));
    // A follower gives the same answer: it would be refused by any leader.
    RaftCore f = new RaftCore(config(2), PersistentState.EMPTY, new SplittableRandom(1));
    assertThatThrownBy(() -> f.propose(new byte[MAX_ENTRY + 1])).isInstanceOf(EntryTooLargeException.class);
    assertThat(f.propose(new byte[MAX_ENTRY])).isZero(); // fits, but not the leader
  }

  @Test
  void aLeaderRefusesProposalsBeyondItsUncommittedBytesUntilTheyCommit() {
    RaftCore l = leader();
    byte[] cmd = new byte[476]; // 500 bytes with the entry overhead
    int accepted = 0;
    long last = 0;
    while (true) {
      try {
        last = l.propose(cmd);
        accepted++;
      } catch (UncommittedLimitException e) {
        assertThat(e).isNotInstanceOf(IllegalArgumentException.class); // retryable, not a bad argument
        assertThat(e.limit()).isEqualTo(MAX_UNCOMMITTED);
        assertThat(e.getStackTrace()).isEmpty();
        break;
      }
    }
    assertThat(accepted).isEqualTo(20); // 20 * 500 = 10,000: the 21st would exceed the bound
    assertThat(l.uncommittedBytes()).isEqualTo(10_000);
    Ready rd = l.ready();
    l.advance(rd);

    // Node 2 acknowledges everything: leader + node 2 commit it, and the leader takes proposals again.
    l.step(new AppendResponse(2, 1, l.term(), last, false, 0, 0));
    assertThat(l.commitIndex()).isEqualTo(last);
    assertThat(l.uncommittedBytes()).isZero();
    assertThat(l.propose(cmd)).isEqualTo(last + 1);
    assertThat(l.uncommittedBytes()).isEqualTo(500);
  }

  @Test
  void aNewLeaderCountsTheUncommittedCommandsItInherits() {
    RaftCore l = leader();
    for (int i = 0; i < 3; i++) {
      l.propose(new byte[76]); // 100 bytes each
    }
    l.advance(l.ready());
    // Deposed by a higher term before anything commits, then elected again: the three entries are
    // still in its log above the commit index, and count against the bound.
    l.step(new Heartbeat(2, 1, l.term() + 1, 0, 0));
    l.advance(l.ready());
    assertThat(l.role()).isEqualTo(Role.FOLLOWER);
    assertThat(l.uncommittedBytes()).isZero();
    campaign(l);
    assertThat(l.uncommittedBytes()).isEqualTo(300);
  }

  @Test
  void configurationNamesTheFieldAndValueItRefuses() {
    assertThatThrownBy(() -> RaftConfig.builder(0).build()).hasMessage("id must be at least 1: 0");
    assertThatThrownBy(() -> RaftConfig.builder(1).heartbeatTicks(3).electionTicks(3).build())
        .hasMessage("electionTicks must be greater than heartbeatTicks (3): 3");
    assertThatThrownBy(() -> RaftConfig.builder(1).maxInflight(0).build()).hasMessage("maxInflight must be at least 1: 0");
    assertThatThrownBy(() -> RaftConfig.builder(1).maxEntryBytes(5000).maxBytesPerMessage(5000).build())
        .hasMessageStartingWith("maxBytesPerMessage must be at least maxEntryBytes (5000) + 24").hasMessageEndingWith(": 5000");
    assertThatThrownBy(() -> RaftConfig.builder(1).maxInflightBytes(1000).build())
        .hasMessageStartingWith("maxInflightBytes must be at least maxBytesPerMessage (131072)").hasMessageEndingWith(": 1000");
    assertThatThrownBy(() -> RaftConfig.builder(1).maxUncommittedBytes(100).build())
        .hasMessageStartingWith("maxUncommittedBytes must be at least maxEntryBytes (65536) + 24").hasMessageEndingWith(": 100");
    assertThatThrownBy(() -> RaftConfig.builder(1).compactionMargin(-1).build())
        .hasMessage("compactionMargin must be at least 0: -1");
    RaftConfig c = RaftConfig.builder(7).electionTicks(20).heartbeatTicks(2).checkQuorum(false).build();
    assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    assertThat(c.electionTicks()).isEqualTo(20);
    assertThat(c.preVote()).isTrue();
    assertThat(c.checkQuorum()).isFalse();
  }
}
