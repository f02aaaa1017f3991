package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log replication: agreement, failures, partitions, concurrency, and fast back-off of divergent logs. */
class ReplicationTest {

  private static final String CLASS = "dev.quern.raft.ReplicationTest";

  @Test
  void basicAgreement() {
    Seeds.run(CLASS, "basicAgreement", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      sim.awaitLeader(5_000);
      for (int i = 1; i <= 5; i++) {
        long before = sim.maxApplied();
        long index = sim.one("v" + i, 5);
        assertThat(index).isGreaterThan(before);
      }
    });
  }

  @Test
  void agreementDespiteFollowerDown() {
    Seeds.run(CLASS, "agreementDespiteFollowerDown", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      long follower = l.id % 3 + 1;
      sim.isolate(follower);
      sim.one("b", 2);
      sim.one("c", 2);
      sim.runFor(2_000);
      sim.one("d", 2);
      sim.heal();
      // The follower catches up, whoever leads now.
      sim.one("e", 3);
    });
  }

  @Test
  void noCommitWithoutMajorityThenRecovery() {
    Seeds.run(CLASS, "noCommitWithoutMajorityThenRecovery", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 5);
      // Leave the leader with one follower: a minority.
      List<Long> others = new ArrayList<>(sim.nodes.keySet());
      others.remove(l.id);
      sim.partition(List.of(List.of(l.id, others.get(0))));
      long index = l.core.propose(new ClientCommand(7, 1, KvStateMachine.append("x", "lost")).encode());
      sim.process(l);
      assertThat(index).isPositive();
      sim.runFor(3_000);
      assertThat(sim.appliedCount(index)).isZero();
      assertThat(sim.appliedEntries).doesNotContainKey(index);
      // Heal: the group recovers and commits new commands on all five.
      sim.heal();
      sim.awaitLeader(10_000);
      sim.one("b", 5);
      sim.one("c", 5);
    });
  }

  @Test
  void concurrentProposals() {
    Seeds.run(CLASS, "concurrentProposals", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      long term = l.core.term();
      // Five clients' commands proposed together: all commit, each exactly once, in one term.
      List<Long> indexes = new ArrayList<>();
      for (long c = 1; c <= 5; c++) {
        indexes.add(l.core.propose(new ClientCommand(c, 1, KvStateMachine.append("k", "<" + c + ">")).encode()));
      }
      sim.process(l);
      assertThat(sim.runUntil(() -> sim.appliedCount(indexes.get(4)) == 3, 3_000)).isTrue();
      assertThat(l.core.term()).isEqualTo(term);
      assertThat(indexes).doesNotHaveDuplicates();
      String value = sim.node(1).kv.value("k");
      for (long c = 1; c <= 5; c++) {
        assertThat(value).containsOnlyOnce("<" + c + ">");
      }
      assertThat(sim.node(2).kv.value("k")).isEqualTo(value);
    });
  }

  @Test
  void staleLeaderRejoins() {
    Seeds.run(CLASS, "staleLeaderRejoins", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      sim.one("101", 3);
      SimCluster.Node l1 = sim.awaitLeader(5_000);
      // The leader is cut off and takes proposals that can never commit.
      sim.isolate(l1.id);
      for (String v : List.of("102", "103", "104")) {
        l1.core.propose(new ClientCommand(9, Long.parseLong(v), KvStateMachine.append("x", v)).encode());
        sim.process(l1);
      }
      sim.one("103", 2);
      // The new leader is cut off too; the old leader returns.
      SimCluster.Node l2 = sim.awaitLeader(5_000);
      sim.isolate(l2.id);
      sim.heal();
      sim.isolate(l2.id);
      sim.one("104", 2);
      sim.heal();
      sim.one("105", 3);
      // The stale leader's uncommitted entries were replaced everywhere.
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(n.kv.value("x")).isEmpty();
      }
    });
  }

  @Test
  void fastBackupOfDivergentLogs() {
    java.util.concurrent.atomic.AtomicLong maxRejects = new java.util.concurrent.atomic.AtomicLong();
    Seeds.run(CLASS, "fastBackupOfDivergentLogs", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      sim.one("start", 5);
      SimCluster.Node l1 = sim.awaitLeader(5_000);
      List<Long> ids = new ArrayList<>(sim.nodes.keySet());
      ids.remove(l1.id);
      // Leader plus one follower in a minority: 50 proposals that will not commit.
      sim.partition(List.of(List.of(l1.id, ids.get(0)), ids.subList(1, 4)));
      for (int i = 0; i < 50; i++) {
        l1.core.propose(new ClientCommand(1, i + 1, KvStateMachine.append("lost", "x")).encode());
        sim.process(l1);
      }
      sim.runFor(500);
      // The other three elect a leader and commit 50.
      for (int i = 0; i < 50; i++) {
        sim.one("a" + i, 3);
      }
      SimCluster.Node l2 = sim.awaitLeader(5_000);
      long other = ids.subList(1, 4).stream().filter(x -> x != l2.id).findFirst().orElseThrow();
      // Again: the new leader with one follower takes 50 proposals that will not commit.
      List<Long> third = new ArrayList<>(ids.subList(1, 4));
      third.remove(l2.id);
      third.remove(other);
      sim.partition(List.of(List.of(l2.id, other), List.of(l1.id, ids.get(0), third.get(0))));
      for (int i = 0; i < 50; i++) {
        l2.core.propose(new ClientCommand(2, i + 1, KvStateMachine.append("lost", "y")).encode());
        sim.process(l2);
      }
      // The first minority comes back with the third node: they must repair their logs quickly.
      long rejectsBefore = sim.appendRejects;
      sim.awaitLeader(10_000);
      for (int i = 0; i < 50; i++) {
        sim.one("b" + i, 3);
      }
      sim.heal();
      sim.one("end", 5);
      // Each divergent follower needs about one rejection per divergent term, not one per entry.
      long rejects = sim.appendRejects - rejectsBefore;
      maxRejects.accumulateAndGet(rejects, Math::max);
      assertThat(rejects).isLessThanOrEqualTo(20);
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(n.kv.value("lost")).isEmpty();
      }
    });
    System.out.println("RAFT-COUNTS fast backup over 2x50 divergent entries: at most " + maxRejects + " append rejections");
  }
}
