package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Bounds on messages in a 3-node group, the lab's figures: at most 30 requests to elect a leader, 42
 * for 11 agreements, 60 per idle second. A request is one RPC (append, heartbeat, vote, snapshot chunk,
 * TimeoutNow); responses are counted separately and reported.
 */
class MessageCountTest {

  private static final String CLASS = "dev.quern.raft.MessageCountTest";

  @Test
  void messagesPerElectionAgreementAndIdleSecond() {
    // max over seeds of: elect requests, elect messages, 11 batched, 11 one by one, idle requests, idle messages
    AtomicLongArray max = new AtomicLongArray(6);
    Seeds.run(CLASS, "messagesPerElectionAgreementAndIdleSecond", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(10_000);
      long term = l.core.term();
      long electRequests = sim.requests;
      long electMessages = sim.messages;
      assertThat(electRequests).isLessThanOrEqualTo(30);

      // 11 agreements started together, as clients do: one Ready carries them all.
      long r0 = sim.requests;
      long last = 0;
      for (int i = 0; i < 11; i++) {
        last = l.core.propose(new ClientCommand(1, i + 1, KvStateMachine.append("k", "v")).encode());
      }
      sim.process(l);
      long lastIndex = last;
      assertThat(sim.runUntil(() -> sim.appliedCount(lastIndex) == 3, 2_000)).isTrue();
      long batched = sim.requests - r0;
      assertThat(batched).isLessThanOrEqualTo(42);

      // 11 agreements one after another, each waiting for all three nodes to apply it.
      long r1 = sim.requests;
      for (int i = 0; i < 11; i++) {
        long index = l.core.propose(new ClientCommand(2, i + 1, KvStateMachine.append("k", "w")).encode());
        sim.process(l);
        assertThat(sim.runUntil(() -> sim.appliedCount(index) == 3, 2_000)).isTrue();
      }
      long sequential = sim.requests - r1;

      long r2 = sim.requests;
      long m2 = sim.messages;
      sim.runFor(1_000);
      long idleRequests = sim.requests - r2;
      long idleMessages = sim.messages - m2;
      assertThat(idleRequests).isLessThanOrEqualTo(60);
      assertThat(l.core.term()).isEqualTo(term);

      long[] v = {electRequests, electMessages, batched, sequential, idleRequests, idleMessages};
      for (int i = 0; i < v.length; i++) {
        max.accumulateAndGet(i, v[i], Math::max);
      }
    });
    System.out.printf("RAFT-COUNTS max over seeds: elect requests=%d (messages %d); 11 agreements batched=%d,"
            + " one-by-one=%d requests; idle second requests=%d (messages %d)%n",
        max.get(0), max.get(1), max.get(2), max.get(3), max.get(4), max.get(5));
  }
}
