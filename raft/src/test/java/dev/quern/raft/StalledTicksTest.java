package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.node.TickGate;
import org.junit.jupiter.api.Test;

/**
 * Check-quorum with one voter of three down (the benchmark's start-up, a master still starting):
 * the leader keeps leading as long as its one live follower answers, and loses leadership to a
 * burst of missed ticks that a stall of its own JVM replays, unless the driver's {@link TickGate}
 * drops the burst. The core is right to step down when it is handed an election timeout of ticks
 * with nothing heard in between: ticks are its only clock; the driver must not make time run fast.
 */
class StalledTicksTest {

  private static final String CLASS = "dev.quern.raft.StalledTicksTest";

  /** No defect in counting: with one follower down, the other's answers keep the leader for a minute. */
  @Test
  void leaderWithOneLiveFollowerKeepsLeading() {
    Seeds.run(CLASS, "leaderWithOneLiveFollowerKeepsLeading", 30, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(10_000);
      long down = l.id % 3 + 1;
      sim.crash(down);
      long term = l.core.term();
      for (int i = 0; i < 60; i++) {
        sim.runFor(1_000);
        assertThat(l.core.isLeader()).as("node %d still leads term %d after %d s: %s", l.id, term, i + 1,
            sim.describe()).isTrue();
      }
      assertThat(l.core.term()).isEqualTo(term);
      sim.one("after a minute", 2);
    });
  }

  /**
   * The leader stalls (two election timeouts, say a GC pause); its follower's answers to the last
   * heartbeats before the stall wait in the leader's mailbox behind the replayed timer firings.
   * Stepped straight into the core, the firings depose a leader that lost nobody; through the gate
   * (all firings at the instant the stall ends) they are one tick, and it goes on leading.
   */
  @Test
  void replayedTicksAfterAStallDeposeTheLeaderUnlessGated() {
    Seeds.run(CLASS, "replayedTicksAfterAStallDeposeTheLeaderUnlessGated", 30, seed -> {
      int burst = 2 * SimCluster.defaultConfig(1).electionTicks();
      for (boolean gated : new boolean[] {false, true}) {
        SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
        SimCluster.Node l = sim.awaitLeader(10_000);
        sim.crash(l.id % 3 + 1);
        sim.runFor(3_000);
        assertThat(l.core.isLeader()).isTrue();
        long term = l.core.term();
        long tickNanos = SimCluster.TICK_MS * 1_000_000L;
        TickGate gate = new TickGate(tickNanos);
        gate.admit(0); // the last tick before the stall
        long resumedAt = burst * tickNanos; // every firing of the stall arrives now
        for (int i = 0; i < burst; i++) {
          if (!gated || gate.admit(resumedAt)) {
            l.core.tick();
            sim.process(l);
          }
        }
        if (gated) {
          assertThat(l.core.isLeader()).as("gated: node %d leads on after the stall: %s", l.id, sim.describe())
              .isTrue();
          sim.runFor(10_000);
          assertThat(l.core.isLeader() && l.core.term() == term).as("gated: still leader of term %d: %s", term,
              sim.describe()).isTrue();
          sim.one("after the stall", 2);
        } else {
          assertThat(l.core.isLeader()).as("ungated: %d replayed ticks with nothing heard depose node %d", burst,
              l.id).isFalse();
        }
      }
    });
  }
}
