package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a new leader must not do before it has committed an entry of its term, and the one-change-at-a-
 * time rule: the guards the single-server membership algorithm relies on.
 */
class ConfChangeGuardsTest {

  private static final String CLASS = "dev.quern.raft.ConfChangeGuardsTest";

  /**
   * At every step at which some leader has not yet committed an entry of its term, a conf change is
   * refused, and a read it takes then is answered only at or after its term's first entry (so only once
   * that entry commits). Leaders are forced to change by crashing them, so many terms are seen.
   */
  @Test
  void newLeaderRefusesChangesAndHoldsReadsUntilItCommitsInItsTerm() {
    Seeds.run(CLASS, "newLeaderRefusesChangesAndHoldsReadsUntilItCommitsInItsTerm", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      sim.addEmptyNode(6);
      // Read context -> the first index of the asking leader's term.
      Map<Long, Long> termStartOfRead = new HashMap<>();
      // Read context -> the leader and term that took it; and the (leader, term)s that went on to commit.
      Map<Long, List<Long>> askedBy = new HashMap<>();
      java.util.Set<List<Long>> committedInOwnTerm = new java.util.HashSet<>();
      List<Long> refusedInTerm = new ArrayList<>();
      long[] nextContext = {1_000};
      boolean[] inCheck = {false};
      sim.checkEveryStep(() -> {
        if (inCheck[0]) {
          return;
        }
        inCheck[0] = true;
        try {
          for (SimCluster.Node n : sim.nodes.values()) {
            if (!n.up || !n.core.isLeader()) {
              continue;
            }
            RaftCore c = n.core;
            if (c.termAt(c.commitIndex()) == c.term()) {
              committedInOwnTerm.add(List.of(n.id, c.term()));
              continue;
            }
            if (!refusedInTerm.contains(c.term())) {
              refusedInTerm.add(c.term());
              assertThat(c.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 6)))
                  .as("conf change accepted by %s before it committed in its term", c).isZero();
              long start = c.commitIndex() + 1;
              while (c.termAt(start) != c.term()) {
                start++;
              }
              long ctx = nextContext[0]++;
              termStartOfRead.put(ctx, start);
              askedBy.put(ctx, List.of(n.id, c.term()));
              assertThat(sim.read(n, ctx)).isTrue();
              assertThat(sim.readsServed).as("read answered before the leader committed in its term")
                  .doesNotContainKey(ctx);
            }
          }
        } finally {
          inCheck[0] = false;
        }
      });
      for (int round = 0; round < 4; round++) {
        SimCluster.Node l = sim.awaitLeader(10_000);
        sim.one("r" + round, 4);
        sim.runFor(1_000); // reads the leader took get their heartbeat round before it goes
        sim.crash(l.id);
        sim.awaitLeader(10_000);
        sim.one("after" + round, 3);
        sim.runFor(1_000);
        sim.restart(l.id);
      }
      // Every term but the first founding one was observed with its leader not yet committed.
      assertThat(refusedInTerm).hasSizeGreaterThanOrEqualTo(5);
      // A read is dropped if its leader loses office first (the client retries); the others are served,
      // and never below the first entry of the term in which they were asked.
      List<Long> mustServe = askedBy.entrySet().stream()
          .filter(e -> committedInOwnTerm.contains(e.getValue())).map(Map.Entry::getKey).toList();
      assertThat(mustServe).hasSizeGreaterThanOrEqualTo(4);
      assertThat(sim.runUntil(() -> sim.readsServed.keySet().containsAll(mustServe), 10_000))
          .as("reads served: %s of %s", sim.readsServed.keySet(), mustServe).isTrue();
      for (Map.Entry<Long, Long> e : termStartOfRead.entrySet()) {
        if (sim.readsServed.containsKey(e.getKey())) {
          assertThat(sim.readsServed.get(e.getKey())).as("read %d", e.getKey()).isGreaterThanOrEqualTo(e.getValue());
        }
      }
      // Once it has committed in its term, the same leader accepts the change (the guard is not "never").
      sim.calm();
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("settled", 5);
      l = sim.awaitLeader(10_000);
      assertThat(l.core.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 6))).isPositive();
    });
  }

  /** A second change is refused while the first is uncommitted, and accepted once it commits. */
  @Test
  void onePendingChangeAtATime() {
    Seeds.run(CLASS, "onePendingChangeAtATime", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable()
          .withConfig(id -> SimCluster.defaultConfig(id).toBuilder().autoPromoteLearners(false).build()));
      sim.addEmptyNode(4);
      sim.addEmptyNode(5);
      SimCluster.Node l = sim.awaitLeader(10_000);
      sim.one("a", 3);
      l = sim.awaitLeader(10_000);
      long first = l.core.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
      assertThat(first).isPositive();
      // Refused in the same Ready, before anything was sent ...
      assertThat(l.core.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 5))).isZero();
      // ... and while the first cannot commit because the leader is cut off from every follower.
      for (long id : sim.nodes.keySet()) {
        if (id != l.id) {
          sim.isolate(id);
        }
      }
      sim.process(l);
      sim.runFor(300);
      assertThat(l.core.isLeader()).isTrue();
      assertThat(l.core.commitIndex()).isLessThan(first);
      assertThat(l.core.membership().learners()).containsExactly(4L); // in effect once appended
      assertThat(l.core.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 5))).isZero();
      assertThat(l.core.proposeConfChange(new ConfChange(ConfChange.Type.REMOVE_NODE, 4))).isZero();
      sim.heal();
      SimCluster.Node leader = l;
      assertThat(sim.runUntil(() -> leader.core.isLeader() && leader.core.commitIndex() >= first, 5_000))
          .as(sim.describe()).isTrue();
      long second = l.core.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, 5));
      assertThat(second).isPositive();
      sim.process(l);
      assertThat(sim.runUntil(() -> sim.appliedCount(second) >= 5, 5_000)).as(sim.describe()).isTrue();
      assertThat(sim.node(5).core.membership().learners()).containsExactly(4L, 5L);
    });
  }
}
