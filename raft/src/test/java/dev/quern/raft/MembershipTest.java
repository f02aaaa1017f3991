package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Single-server membership changes: learners that catch up and get promoted, removals, partitions. */
class MembershipTest {

  private static final String CLASS = "dev.quern.raft.MembershipTest";

  /** Proposes a change at whatever node leads, until one accepts it and it is applied by a majority. */
  private static void change(SimCluster sim, ConfChange cc) {
    long deadline = sim.now + 30_000;
    while (sim.now < deadline) {
      SimCluster.Node l = sim.effectiveLeader();
      if (l != null && l.core.commitIndex() == l.core.lastIndex() && inEffect(cc, l.core.membership())) {
        return; // already done (proposed earlier, maybe by a leader that has since lost office)
      }
      long index = l == null ? 0 : l.core.proposeConfChange(cc);
      if (l != null) {
        sim.process(l);
      }
      if (index == 0) {
        sim.runFor(100);
        continue;
      }
      if (sim.runUntil(() -> sim.appliedEntries.containsKey(index), 3_000)
          && sim.appliedEntries.get(index).type() == EntryType.CONF_CHANGE
          && ConfChange.decode(sim.appliedEntries.get(index).data()).equals(cc)) {
        return;
      }
    }
    throw new AssertionError("change " + cc + " not applied: " + sim.describe());
  }

  private static boolean inEffect(ConfChange cc, Membership m) {
    return switch (cc.type()) {
      case ADD_LEARNER -> m.contains(cc.nodeId());
      case ADD_VOTER -> m.isVoter(cc.nodeId());
      case REMOVE_NODE -> !m.contains(cc.nodeId());
      case DEMOTE_VOTER -> m.isLearner(cc.nodeId());
    };
  }

  @Test
  void learnerJoinsCatchesUpAndIsPromoted() {
    Seeds.run(CLASS, "learnerJoinsCatchesUpAndIsPromoted", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable().withSnapshotEvery(20));
      for (int i = 0; i < 30; i++) {
        sim.one("v" + i, 3);
      }
      SimCluster.Node four = sim.addEmptyNode(4);
      change(sim, new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
      // The leader promotes the learner on its own once it has caught up.
      assertThat(sim.runUntil(() -> sim.leader() != null && sim.leader().core.membership().isVoter(4), 10_000)).isTrue();
      sim.one("after", 4);
      assertThat(four.kv.value("one")).isEqualTo(sim.node(1).kv.value("one"));
      // Remove a node; the remaining three keep committing even with one of them cut off.
      change(sim, new ConfChange(ConfChange.Type.REMOVE_NODE, 1));
      sim.crash(1);
      long other = sim.awaitLeader(10_000).id == 2 ? 3 : 2;
      sim.isolate(other);
      sim.one("two-of-three", 2);
      sim.heal();
      sim.one("end", 3);
      for (long id = 2; id <= 4; id++) {
        assertThat(sim.node(id).core.membership().voters()).containsExactly(2L, 3L, 4L);
      }
    });
  }

  @Test
  void leaderRemovesItself() {
    Seeds.run(CLASS, "leaderRemovesItself", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      change(sim, new ConfChange(ConfChange.Type.REMOVE_NODE, l.id));
      sim.runFor(200);
      assertThat(l.core.isLeader()).isFalse();
      SimCluster.Node l2 = sim.awaitLeader(10_000);
      assertThat(l2.id).isNotEqualTo(l.id);
      sim.one("b", 2);
    });
  }

  @Test
  void changesUnderPartitions() {
    Seeds.run(CLASS, "changesUnderPartitions", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.unreliable().withRestartAfterStep(0.003));
      SplittableRandom r = new SplittableRandom(seed * 13);
      sim.addEmptyNode(4);
      sim.addEmptyNode(5);
      List<ConfChange> plan = List.of(
          new ConfChange(ConfChange.Type.ADD_LEARNER, 4),
          new ConfChange(ConfChange.Type.ADD_LEARNER, 5),
          new ConfChange(ConfChange.Type.REMOVE_NODE, 1),
          new ConfChange(ConfChange.Type.REMOVE_NODE, 2));
      for (ConfChange cc : plan) {
        // A random node is cut off while the change is under way.
        long cut = r.nextInt(5) + 1;
        sim.isolate(cut);
        SimCluster.Node l = sim.leader();
        if (l != null) {
          l.core.proposeConfChange(cc);
          sim.process(l);
        }
        sim.runFor(r.nextInt(1_500));
        sim.heal();
        change(sim, cc);
        sim.one("after-" + cc.type() + "-" + cc.nodeId(), 2);
      }
      // Learners are promoted once caught up; then 3, 4, 5 are the voters everywhere that matters.
      sim.calm();
      assertThat(sim.runUntil(() -> {
        SimCluster.Node l = sim.effectiveLeader();
        return l != null && l.core.membership().voters().equals(List.of(3L, 4L, 5L));
      }, 20_000)).as(sim.describe()).isTrue();
      long last = sim.one("end", 3);
      for (long id = 3; id <= 5; id++) {
        long i = id;
        assertThat(sim.runUntil(() -> sim.node(i).applied >= last, 5_000)).isTrue();
        assertThat(sim.node(id).core.membership().voters()).containsExactly(3L, 4L, 5L);
      }
    });
  }
}
