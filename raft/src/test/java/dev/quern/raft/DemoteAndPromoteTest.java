package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DEMOTE_VOTER, and auto-promotion that waits for a learner that is caught up and recently heard from. */
class DemoteAndPromoteTest {

  private static final String CLASS = "dev.quern.raft.DemoteAndPromoteTest";

  private static SimCluster.Options noAutoPromote() {
    return SimCluster.Options.reliable()
        .withConfig(id -> SimCluster.defaultConfig(id).toBuilder().autoPromoteLearners(false).build());
  }

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
   * A demoted follower keeps applying the log but no longer counts or campaigns; a demoted leader
   * steps down and a voter takes over.
   */
  @Test
  void demotedVotersBecomeLearners() {
    Seeds.run(CLASS, "demotedVotersBecomeLearners", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 5, noAutoPromote());
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("a", 5);
      long follower = l.id == 1 ? 2 : 1;
      commitChange(sim, new ConfChange(ConfChange.Type.DEMOTE_VOTER, follower));
      assertThat(sim.node(l.id).core.membership().learners()).containsExactly(follower);
      assertThat(sim.node(l.id).core.membership().voters()).hasSize(4).doesNotContain(follower);
      // Demoting the leader: it steps down once the change commits, and one of the voters leads.
      SimCluster.Node leader = sim.awaitLeader(10_000);
      commitChange(sim, new ConfChange(ConfChange.Type.DEMOTE_VOTER, leader.id));
      assertThat(sim.runUntil(() -> !leader.core.isLeader(), 5_000)).isTrue();
      SimCluster.Node next = sim.awaitLeader(10_000);
      assertThat(next.core.membership().voters()).hasSize(3).contains(next.id)
          .doesNotContain(follower, leader.id);
      // With two of the five demoted, three voters commit; the learners still apply every entry and
      // never campaign.
      List<Message> votes = new ArrayList<>();
      sim.onSend(m -> {
        if (m instanceof Message.RequestVote && (m.from() == follower || m.from() == leader.id)) {
          votes.add(m);
        }
      });
      long index = sim.one("b", 5);
      SimCluster.Node other = sim.nodes.values().stream()
          .filter(n -> n.id != next.id && next.core.membership().isVoter(n.id)).findFirst().orElseThrow();
      sim.crash(other.id);
      sim.runFor(10_000);
      assertThat(votes).isEmpty();
      assertThat(sim.node(follower).applied).isGreaterThanOrEqualTo(index);
      assertThat(sim.node(leader.id).applied).isGreaterThanOrEqualTo(index);
      // Two of the three remaining voters keep the same leader: the learners did not disrupt it.
      SimCluster.Node now = sim.awaitLeader(10_000);
      assertThat(now.id).isEqualTo(next.id);
    });
  }

  @Test
  void demoteIsRefusedWhileAutoPromotionIsOn() {
    SimCluster sim = new SimCluster(1, 3, SimCluster.Options.reliable());
    SimCluster.Node l = sim.awaitLeader(10_000);
    sim.one("a", 3);
    long follower = l.id == 1 ? 2 : 1;
    assertThat(sim.awaitLeader(10_000).core.proposeConfChange(
        new ConfChange(ConfChange.Type.DEMOTE_VOTER, follower))).isZero();
    assertThat(sim.node(l.id).core.membership().voters()).hasSize(3);
  }

  /**
   * A learner that caught up while the leader could not promote it (a leadership transfer was under
   * way) and then went silent for more than an election timeout is not promoted; back up, it is.
   */
  @Test
  void silentLearnerIsNotPromoted() {
    Seeds.run(CLASS, "silentLearnerIsNotPromoted", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("a", 3);
      sim.addEmptyNode(4);
      sim.crash(4);
      commitChange(sim, new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
      SimCluster.Node leader = sim.awaitLeader(10_000);
      long target = leader.id == 1 ? 2 : 1;
      sim.isolate(target);
      assertThat(leader.core.transferLeadership(target)).isTrue();
      sim.process(leader);
      boolean[] caughtUp = {false};
      sim.checkEveryStep(() -> {
        if (!caughtUp[0] && sim.node(4).up && leader.core.isLeader()
            && leader.core.matchIndex(4) >= leader.core.commitIndex()) {
          caughtUp[0] = true;
          sim.crash(4);
        }
      });
      sim.restart(4);
      assertThat(sim.runUntil(() -> caughtUp[0], 900)).as("learner caught up during the transfer").isTrue();
      sim.checkEveryStep(() -> { });
      sim.runFor(5_000);
      assertThat(leader.core.isLeader()).isTrue();
      assertThat(leader.core.membership().learners()).containsExactly(4L);
      sim.heal();
      sim.restart(4);
      assertThat(sim.runUntil(() -> leader.core.membership().isVoter(4), 5_000)).as(sim.describe()).isTrue();
      sim.one("b", 4);
    });
  }
}
