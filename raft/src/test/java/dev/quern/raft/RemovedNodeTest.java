package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A removed voter that stays up learns that it was removed and then never campaigns again, so the group
 * it left keeps a stable leader.
 */
class RemovedNodeTest {

  private static final String CLASS = "dev.quern.raft.RemovedNodeTest";

  /** Thirty election timeouts of the default configuration (10 ticks of 100 ms, randomised up to twice that). */
  private static final long QUIET_MS = 30 * 2_000;

  /** The removal reaches the removed node straight from the leader that removes it. */
  @Test
  void removedFollowerStopsCampaigning() {
    Seeds.run(CLASS, "removedFollowerStopsCampaigning", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("a", 3);
      long removed = l.id == 1 ? 2 : 1;
      long index = commitChange(sim, new ConfChange(ConfChange.Type.REMOVE_NODE, removed));
      assertThat(sim.runUntil(() -> !sim.node(removed).core.membership().contains(removed), 5_000))
          .as("node %d learns its removal: %s", removed, sim.describe()).isTrue();
      assertQuiet(sim, removed, index);
    });
  }

  /**
   * The removed node was cut off while it was removed and the leader that removed it is gone: a later
   * leader, which never replicated to it, hears it campaign and sends it the log until it learns.
   */
  @Test
  void removedNodeThatMissedItsRemovalLearnsFromALaterLeader() {
    Seeds.run(CLASS, "removedNodeThatMissedItsRemovalLearnsFromALaterLeader", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("a", 5);
      long removed = l.id == 1 ? 2 : 1;
      sim.isolate(removed);
      long index = commitChange(sim, new ConfChange(ConfChange.Type.REMOVE_NODE, removed));
      SimCluster.Node l1 = sim.awaitLeader(10_000);
      sim.crash(l1.id);
      SimCluster.Node l2 = sim.awaitLeader(10_000);
      sim.restart(l1.id);
      sim.one("b", 4);
      assertThat(l2.core.isLeader()).isTrue();
      assertThat(sim.node(removed).core.membership().contains(removed)).isTrue(); // it missed the removal
      sim.connect(removed);
      assertThat(sim.runUntil(() -> !sim.node(removed).core.membership().contains(removed), 10_000))
          .as("node %d learns its removal: %s", removed, sim.describe()).isTrue();
      assertQuiet(sim, removed, index);
    });
  }

  /**
   * Proposes {@code cc} at the leader until it is committed and applied by the leader; returns its index.
   */
  private static long commitChange(SimCluster sim, ConfChange cc) {
    long deadline = sim.now + 20_000;
    while (sim.now < deadline) {
      SimCluster.Node l = sim.effectiveLeader();
      long index = l == null ? 0 : l.core.proposeConfChange(cc);
      if (index == 0) {
        sim.runFor(100);
        continue;
      }
      sim.process(l);
      if (sim.runUntil(() -> sim.appliedEntries.containsKey(index), 3_000)
          && ConfChange.decode(sim.appliedEntries.get(index).data()).equals(cc)) {
        return index;
      }
    }
    throw new AssertionError("change " + cc + " not committed: " + sim.describe());
  }

  /**
   * Over many election timeouts: {@code removed} sends no vote request and its term stays put, the
   * others keep one leader and one term, and commands still commit.
   */
  private static void assertQuiet(SimCluster sim, long removed, long removalIndex) {
    List<Message> votes = new ArrayList<>();
    sim.onSend(m -> {
      if (m.from() == removed && m instanceof Message.RequestVote) {
        votes.add(m);
      }
    });
    SimCluster.Node leader = sim.awaitLeader(10_000);
    long term = leader.core.term();
    long removedTerm = sim.node(removed).core.term();
    Map<Long, Long> terms = new TreeMap<>();
    sim.runFor(QUIET_MS);
    for (SimCluster.Node n : sim.nodes.values()) {
      terms.put(n.id, n.core.term());
    }
    assertThat(votes).as("vote requests from the removed node").isEmpty();
    assertThat(sim.node(removed).core.term()).isEqualTo(removedTerm);
    assertThat(sim.node(removed).core.isLeader()).isFalse();
    assertThat(sim.leader()).isSameAs(leader);
    assertThat(leader.core.term()).as("terms after the quiet period: %s", terms).isEqualTo(term);
    // The leader stopped replicating to it once it acknowledged the removal.
    assertThat(leader.core.matchIndex(removed)).isEqualTo(-1);
    long last = sim.one("after", 2);
    assertThat(last).isGreaterThan(removalIndex);
  }
}
