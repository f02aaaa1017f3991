package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Raft Figure 8, step by step: a leader of term 4 finds an entry of term 2 on a majority, yet must
 * not commit it by counting replicas; it commits it only together with an entry of its own term.
 */
class Figure8Test {

  /** An election timeout is 10-20 ticks: a core that needs more has a bug, and the loop must end. */
  private static final int MAX_TICKS = 100;
  private static final int MAX_READY_BATCHES = 100;

  @Test
  void oldTermEntryOnMajorityIsNotCommittedByCounting() {
    List<Entry> log = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      log.add(new Entry(1, id, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, id).encode()));
    }
    log.add(new Entry(2, 4, EntryType.NORMAL, new byte[] {1}));
    RaftConfig cfg = RaftConfig.builder(1).preVote(false).build();
    RaftCore s1 = new RaftCore(cfg, new PersistentState(new HardState(3, 0, 3), Snapshot.EMPTY, log), new SplittableRandom(1));
    drain(s1);
    for (int ticks = 0; s1.role() != Role.CANDIDATE; ticks++) {
      assertThat(ticks).as("ticks before the election timeout").isLessThan(MAX_TICKS);
      s1.tick();
    }
    assertThat(s1.term()).isEqualTo(4);
    s1.step(new VoteResponse(2, 1, 4, false, false));
    assertThat(s1.isLeader()).isTrue();
    drain(s1);
    assertThat(s1.lastIndex()).isEqualTo(5); // the no-op of term 4

    // S2 acknowledges only the term-2 entry: S1 and S2 hold it, a majority of three.
    s1.step(new AppendResponse(2, 1, 4, 4, false, 0, 0));
    drain(s1);
    assertThat(s1.commitIndex()).isEqualTo(3);

    // Once the term-4 entry is on a majority, both commit.
    s1.step(new AppendResponse(2, 1, 4, 5, false, 0, 0));
    drain(s1);
    assertThat(s1.commitIndex()).isEqualTo(5);
  }

  /** Hands every Ready back; a core that keeps producing them without new input fails the test. */
  private static void drain(RaftCore c) {
    for (int batches = 0; c.hasReady(); batches++) {
      assertThat(batches).as("Ready batches without new input").isLessThan(MAX_READY_BATCHES);
      c.advance(c.ready());
    }
  }
}
