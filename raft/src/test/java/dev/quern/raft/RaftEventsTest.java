package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transitions the core reports to its {@link RaftEvents} listener, in scenarios that force each one. */
class RaftEventsTest {

  private static final String CLASS = "dev.quern.raft.RaftEventsTest";

  private static Map<Long, StatusTest.Recorder> record(SimCluster sim) {
    Map<Long, StatusTest.Recorder> recorders = new HashMap<>();
    for (SimCluster.Node n : sim.nodes.values()) {
      StatusTest.Recorder r = new StatusTest.Recorder();
      n.core.setEvents(r);
      recorders.put(n.id, r);
    }
    return recorders;
  }

  /** Each term is won at most once, and only by the node that leads it. */
  private static void checkWins(SimCluster sim, Map<Long, StatusTest.Recorder> recorders) {
    Map<String, Long> winners = new HashMap<>();
    recorders.forEach((id, r) -> r.events.stream().filter(e -> e.startsWith("won "))
        .forEach(e -> assertThat(winners.putIfAbsent(e, id)).as("%s twice", e).isNull()));
    SimCluster.Node l = sim.leader();
    if (l != null) {
      assertThat(winners.get("won " + l.core.term())).isEqualTo(l.id);
    }
  }

  @Test
  void theWinnerWonAPreVoteThenTheElectionAndALeaderCutOffStepsDown() {
    Seeds.run(CLASS, "theWinnerWonAPreVoteThenTheElectionAndALeaderCutOffStepsDown", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      Map<Long, StatusTest.Recorder> rec = record(sim); // before the first tick: no election has started
      SimCluster.Node l = sim.awaitLeader(5_000);
      long t1 = l.core.term();
      List<String> mine = rec.get(l.id).events;
      assertThat(mine.subList(mine.size() - 3, mine.size()))
          .containsExactly("start " + t1 + " pre-vote", "start " + t1 + " vote", "won " + t1);
      checkWins(sim, rec);

      // Check-quorum: a leader that hears from no majority for an election timeout steps down.
      sim.isolate(l.id);
      assertThat(sim.runUntil(() -> rec.get(l.id).events.contains("down " + t1 + " QUORUM_LOST"), 5_000)).isTrue();
      assertThat(l.core.role()).isNotEqualTo(Role.LEADER);
      SimCluster.Node l2 = sim.awaitLeader(5_000);
      assertThat(l2.id).isNotEqualTo(l.id);
      List<String> theirs = rec.get(l2.id).events;
      assertThat(theirs.get(theirs.size() - 1)).isEqualTo("won " + l2.core.term());
      checkWins(sim, rec);
      assertThat(rec.values().stream().flatMap(r -> r.events.stream()).filter(e -> e.startsWith("down ")))
          .containsExactly("down " + t1 + " QUORUM_LOST");
    });
  }

  @Test
  void aLeaderThatHandsOverStepsDownOnTheTargetsHigherTerm() {
    Seeds.run(CLASS, "aLeaderThatHandsOverStepsDownOnTheTargetsHigherTerm", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      Map<Long, StatusTest.Recorder> rec = record(sim);
      long t = l.core.term();
      long target = StatusTest.others(sim, l.id).get(0);
      assertThat(l.core.transferLeadership(target)).isTrue();
      sim.process(l);
      // TimeoutNow: the target campaigns at once (no pre-vote), and its vote request deposes the leader.
      assertThat(sim.runUntil(() -> sim.node(target).core.isLeader() && !rec.get(l.id).events.isEmpty(), 2_000))
          .isTrue();
      assertThat(rec.get(target).events).containsExactly("start " + (t + 1) + " vote transfer", "won " + (t + 1));
      assertThat(rec.get(l.id).events).containsExactly("down " + t + " HIGHER_TERM");
      checkWins(sim, rec);
    });
  }

  @Test
  void aLeaderThatRemovesItselfStepsDownOnceTheRemovalCommits() {
    Seeds.run(CLASS, "aLeaderThatRemovesItselfStepsDownOnceTheRemovalCommits", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      Map<Long, StatusTest.Recorder> rec = record(sim);
      long t = l.core.term();
      long index = l.core.proposeConfChange(new ConfChange(ConfChange.Type.REMOVE_NODE, l.id));
      assertThat(index).isPositive();
      sim.process(l);
      assertThat(rec.get(l.id).events).isEmpty(); // the change is in force, not yet committed
      assertThat(sim.runUntil(() -> !rec.get(l.id).events.isEmpty(), 2_000)).isTrue();
      assertThat(rec.get(l.id).events).containsExactly("down " + t + " REMOVED");
      assertThat(l.core.commitIndex()).isGreaterThanOrEqualTo(index);
    });
  }
}
