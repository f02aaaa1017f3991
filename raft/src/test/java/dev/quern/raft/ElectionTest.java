package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Leader election: initial, after failures, without a majority, and under random partitions. */
class ElectionTest {

  private static final String CLASS = "dev.quern.raft.ElectionTest";

  @Test
  void initialElection() {
    Seeds.run(CLASS, "initialElection", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      long term = l.core.term();
      assertThat(term).isGreaterThanOrEqualTo(2);
      // With no failures the term must stay put and every node must agree on the leader.
      sim.runFor(5_000);
      assertThat(sim.leader().core.term()).isEqualTo(term);
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(n.core.term()).isEqualTo(term);
        assertThat(n.core.leader()).isEqualTo(l.id);
      }
    });
  }

  @Test
  void reElection() {
    Seeds.run(CLASS, "reElection", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l1 = sim.awaitLeader(5_000);
      // Cut the leader off: the other two elect a new one.
      sim.isolate(l1.id);
      SimCluster.Node l2 = sim.awaitLeader(10_000);
      assertThat(l2.id).isNotEqualTo(l1.id);
      // The old leader rejoins: it must not disturb the new one, and it must learn the new term.
      sim.heal();
      sim.runFor(3_000);
      SimCluster.Node l3 = sim.awaitLeader(10_000);
      assertThat(l1.core.term()).isEqualTo(l3.core.term());
      // No quorum: no leader.
      long other = l3.id % 3 + 1;
      sim.isolate(l3.id);
      sim.isolate(other);
      sim.runFor(5_000);
      assertThat(sim.effectiveLeader()).isNull();
      // A quorum again: a leader.
      sim.heal();
      sim.isolate(l3.id);
      sim.awaitLeader(10_000);
      sim.heal();
      sim.awaitLeader(10_000);
    });
  }

  @Test
  void manyElections() {
    Seeds.run(CLASS, "manyElections", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 7, SimCluster.Options.reliable());
      sim.awaitLeader(10_000);
      for (int round = 0; round < 6; round++) {
        // Cut off three random nodes: the four left are a majority and must keep (or find) a leader.
        List<Long> cut = new java.util.ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L));
        java.util.Collections.shuffle(cut, new java.util.Random(seed * 31 + round));
        List<Long> majority = cut.subList(3, 7);
        sim.partition(List.of(majority, cut.subList(0, 3)));
        SimCluster.Node l = sim.awaitLeader(10_000);
        assertThat(majority).contains(l.id);
        sim.heal();
      }
      sim.awaitLeader(10_000);
    });
  }
}
