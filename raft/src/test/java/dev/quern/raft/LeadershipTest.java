package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pre-vote, check-quorum and leadership transfer. */
class LeadershipTest {

  private static final String CLASS = "dev.quern.raft.LeadershipTest";

  @Test
  void preVoteKeepsReturningNodeFromDeposingLeader() {
    Seeds.run(CLASS, "preVoteKeepsReturningNodeFromDeposingLeader", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      long term = l.core.term();
      long cut = l.id % 3 + 1;
      sim.isolate(cut);
      sim.runFor(10_000); // long enough for many election timeouts on the cut-off node
      assertThat(sim.node(cut).core.term()).isEqualTo(term); // pre-votes never raised its term
      sim.heal();
      sim.runFor(5_000);
      assertThat(l.core.isLeader()).isTrue();
      assertThat(l.core.term()).isEqualTo(term);
      assertThat(sim.node(cut).core.leader()).isEqualTo(l.id);
      sim.one("b", 3);
    });
  }

  @Test
  void withoutPreVoteReturningNodeDoesDisrupt() {
    // The contrast that shows what pre-vote buys: the same schedule without it raises the term.
    SimCluster sim = new SimCluster(1, 3, SimCluster.Options.reliable()
        .withConfig(id -> SimCluster.defaultConfig(id).toBuilder().preVote(false).checkQuorum(false).build()));
    SimCluster.Node l = sim.awaitLeader(5_000);
    long term = l.core.term();
    long cut = l.id % 3 + 1;
    sim.isolate(cut);
    sim.runFor(10_000);
    assertThat(sim.node(cut).core.term()).isGreaterThan(term + 2);
    sim.heal();
    sim.runFor(3_000);
    sim.awaitLeader(10_000);
    assertThat(sim.leader().core.term()).isGreaterThan(term);
  }

  @Test
  void checkQuorumMakesCutOffLeaderStepDown() {
    Seeds.run(CLASS, "checkQuorumMakesCutOffLeaderStepDown", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.isolate(l.id);
      // Within two election timeouts (base 1 s) it notices it lost its majority.
      sim.runFor(2_100);
      assertThat(l.core.role()).isNotEqualTo(Role.LEADER);
      SimCluster.Node l2 = sim.awaitLeader(10_000);
      assertThat(l2.id).isNotEqualTo(l.id);
    });
  }

  @Test
  void leadershipTransfer() {
    Seeds.run(CLASS, "leadershipTransfer", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 5);
      long target = l.id % 5 + 1;
      // The target lags first: the leader must bring it up to date before handing over.
      sim.isolate(target);
      sim.one("b", 4);
      sim.one("c", 4);
      sim.heal();
      long term = l.core.term();
      assertThat(l.core.transferLeadership(target)).isTrue();
      sim.process(l);
      // Proposals are refused while the transfer runs.
      assertThat(l.core.propose(new ClientCommand(3, 1, KvStateMachine.append("k", "v")).encode())).isZero();
      assertThat(sim.runUntil(() -> sim.node(target).core.isLeader(), 2_000)).isTrue();
      assertThat(sim.node(target).core.term()).isEqualTo(term + 1);
      sim.one("d", 5);
    });
  }

  @Test
  void transferToUnreachableNodeIsAbandoned() {
    Seeds.run(CLASS, "transferToUnreachableNodeIsAbandoned", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      long target = l.id % 3 + 1;
      sim.isolate(target);
      assertThat(l.core.transferLeadership(target)).isTrue();
      sim.process(l);
      sim.runFor(2_500);
      // Still leader and accepting proposals again after an election timeout.
      assertThat(l.core.isLeader()).isTrue();
      sim.one("after", 2);
    });
  }
}
