package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Message.AppendEntries;
import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.VoteResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Batching and pipelining, step by step on one leader core: what goes out per Ready. */
class PipeliningTest {

  private static List<AppendEntries> appendsTo(Ready rd, long to) {
    return java.util.stream.Stream.concat(rd.messagesBeforePersist().stream(), rd.messages().stream())
        .filter(m -> m instanceof AppendEntries && m.to() == to)
        .map(m -> (AppendEntries) m).toList();
  }

  private static Ready cycle(RaftCore c) {
    Ready rd = c.ready();
    c.advance(rd);
    return rd;
  }

  @Test
  void proposalsAreBatchedPerReadyAndPipelinedWithinTheWindow() {
    RaftConfig cfg = RaftConfig.builder(1).preVote(false).maxEntriesPerMessage(64).maxInflight(2).snapshotChunkBytes(1024).build();
    RaftCore leader = RaftCore.bootstrap(cfg, List.of(1L, 2L, 3L), new SplittableRandom(3));
    cycle(leader);
    for (int ticks = 0; leader.role() != Role.CANDIDATE; ticks++) {
      assertThat(ticks).as("ticks before the election timeout").isLessThan(100); // timeouts are 10-20 ticks
      leader.tick();
    }
    leader.step(new VoteResponse(2, 1, leader.term(), false, false));
    long term = leader.term();
    Ready first = cycle(leader);
    AppendEntries noop = appendsTo(first, 2).get(0);
    // Node 2 acknowledges the no-op: it moves to REPLICATE; node 3 stays in PROBE (one append out).
    leader.step(new AppendResponse(2, 1, term, noop.prevIndex() + noop.entries().size(), false, 0, 0));
    cycle(leader);

    // Two proposals in one Ready: one append per follower carries both.
    leader.propose(new byte[] {1});
    leader.propose(new byte[] {2});
    Ready batch = cycle(leader);
    assertThat(appendsTo(batch, 2)).hasSize(1);
    assertThat(appendsTo(batch, 2).get(0).entries()).hasSize(2);
    assertThat(appendsTo(batch, 3)).isEmpty(); // probing: waits for the answer to its probe

    // Another Ready: a second append to node 2 goes out without waiting (pipelining) ...
    leader.propose(new byte[] {3});
    assertThat(appendsTo(cycle(leader), 2)).hasSize(1);
    // ... but the window is 2: the third waits until an answer frees a slot.
    leader.propose(new byte[] {4});
    assertThat(appendsTo(cycle(leader), 2)).isEmpty();
    AppendEntries firstBatch = appendsTo(batch, 2).get(0);
    leader.step(new AppendResponse(2, 1, term, firstBatch.entries().get(1).index(), false, 0, 0));
    Ready resumed = cycle(leader);
    assertThat(appendsTo(resumed, 2)).hasSize(1);
    assertThat(appendsTo(resumed, 2).get(0).entries()).extracting(e -> e.data()[0]).containsExactly((byte) 4);
    // The ack also committed the batch (leader + node 2 of three).
    assertThat(leader.commitIndex()).isEqualTo(firstBatch.entries().get(1).index());
  }
}
