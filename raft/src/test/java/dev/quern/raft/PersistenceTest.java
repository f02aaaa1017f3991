package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Crash-restart with only persisted state, and the Figure 8 schedules, reliable and unreliable. */
class PersistenceTest {

  private static final String CLASS = "dev.quern.raft.PersistenceTest";

  @Test
  void restartOfEveryNode() {
    Seeds.run(CLASS, "restartOfEveryNode", 200, seed -> restartOfEveryNode(seed, SimDisk.factory()));
  }

  /** Scenarios take the storage, so that {@link WalCrashTest} runs them on the durable WAL too. */
  static void restartOfEveryNode(long seed, SimCluster.StorageFactory storage) {
    SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable(), storage);
    sim.one("11", 3);
    // Crash and restart all: the log and the applied state come back from storage alone.
    for (long id = 1; id <= 3; id++) {
      sim.restart(id);
    }
    sim.one("12", 3);
    SimCluster.Node l1 = sim.awaitLeader(10_000);
    sim.restart(l1.id);
    sim.one("13", 3);
    SimCluster.Node l2 = sim.awaitLeader(10_000);
    sim.crash(l2.id);
    sim.one("14", 2);
    sim.restart(l2.id);
    SimCluster.Node l3 = sim.awaitLeader(10_000);
    long follower = l3.id % 3 + 1;
    sim.crash(follower);
    sim.one("15", 2);
    sim.restart(follower);
    sim.one("16", 3);
    for (SimCluster.Node n : sim.nodes.values()) {
      assertThat(n.kv.value("one")).isEqualTo("111213141516");
    }
  }

  @Test
  void restartsUnderPartitions() {
    Seeds.run(CLASS, "restartsUnderPartitions", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      int index = 1;
      for (int iter = 0; iter < 3; iter++) {
        sim.one("" + (10 + index++), 5);
        long l = sim.awaitLeader(10_000).id;
        long[] s = new long[5];
        for (int i = 0; i < 5; i++) {
          s[i] = (l - 1 + i) % 5 + 1;
        }
        sim.isolate(s[1]);
        sim.isolate(s[2]);
        sim.one("" + (10 + index++), 3);
        sim.isolate(s[0]);
        sim.isolate(s[3]);
        sim.isolate(s[4]);
        sim.restart(s[1]);
        sim.restart(s[2]);
        sim.connect(s[1]);
        sim.connect(s[2]);
        sim.runFor(2_000);
        sim.restart(s[3]);
        sim.connect(s[3]);
        sim.one("" + (10 + index++), 3);
        sim.connect(s[4]);
        sim.connect(s[0]);
      }
      sim.one("1000", 5);
    });
  }

  /** Leaders crashed by the Figure 8 schedules, over all seeds: proof that the schedule bites. */
  private static final java.util.concurrent.atomic.AtomicLong FIGURE8_LEADER_CRASHES = new java.util.concurrent.atomic.AtomicLong();

  /** Runs the Figure 8 schedule: leaders crash right after proposing; at least three nodes stay up. */
  static void figure8(long seed, SimCluster.Options opts, int iterations, SimCluster.StorageFactory storage) {
    // One entry per append, so that followers can acknowledge a new leader's old-term entries
    // before its own no-op: the situation in which counting replicas of old entries goes wrong.
    SimCluster sim = new SimCluster(seed, 5, opts.withConfig(id -> SimCluster.defaultConfig(id).toBuilder().maxEntriesPerMessage(1).build()), storage);
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int up = 5;
    long seq = 0;
    for (int iter = 0; iter < iterations; iter++) {
      long leader = 0;
      for (SimCluster.Node n : sim.nodes.values()) {
        if (n.up && n.core.propose(new ClientCommand(42, ++seq, KvStateMachine.append("f8", "x")).encode()) > 0) {
          leader = n.id;
          sim.process(n);
        }
      }
      sim.runFor(r.nextInt(100) < 10 ? r.nextInt(2_000) : r.nextInt(130));
      if (leader != 0) {
        sim.crash(leader);
        FIGURE8_LEADER_CRASHES.incrementAndGet();
        up--;
      }
      if (up < 3) {
        long s = r.nextInt(5) + 1;
        if (!sim.node(s).up) {
          sim.restart(s);
          up++;
        }
      }
    }
    for (SimCluster.Node n : sim.nodes.values()) {
      if (!n.up) {
        sim.restart(n.id);
      }
    }
    sim.calm();
    sim.awaitLeader(20_000);
    sim.one("last", 5);
  }

  @Test
  void figure8() {
    FIGURE8_LEADER_CRASHES.set(0);
    Seeds.run(CLASS, "figure8", 200, seed -> figure8(seed, SimCluster.Options.reliable(), 400, SimDisk.factory()));
    System.out.println("RAFT-COUNTS figure8: " + FIGURE8_LEADER_CRASHES + " leaders crashed right after proposing");
    assertThat(FIGURE8_LEADER_CRASHES.get()).isPositive();
  }

  @Test
  void figure8Unreliable() {
    Seeds.run(CLASS, "figure8Unreliable", 200, seed -> figure8(seed, SimCluster.Options.unreliable().withRestartAfterStep(0.005), 400, SimDisk.factory()));
  }

  @Test
  void churnUnreliable() {
    Seeds.run(CLASS, "churnUnreliable", 200, seed -> churnUnreliable(seed, SimDisk.factory()));
  }

  static void churnUnreliable(long seed, SimCluster.StorageFactory storage) {
    SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.unreliable().withRestartAfterStep(0.005), storage);
    SplittableRandom r = new SplittableRandom(seed * 17 + 3);
    long seq = 0;
    for (int step = 0; step < 100; step++) {
      // Clients keep proposing wherever they find a leader.
      SimCluster.Node l = sim.leader();
      if (l != null) {
        l.core.propose(new ClientCommand(77, ++seq, KvStateMachine.append("churn", "y")).encode());
        sim.process(l);
      }
      long who = r.nextInt(5) + 1;
      switch (r.nextInt(4)) {
        case 0 -> sim.isolate(who);
        case 1 -> sim.connect(who);
        case 2 -> {
          if (sim.node(who).up) {
            sim.crash(who);
          }
        }
        default -> {
          if (!sim.node(who).up) {
            sim.restart(who);
          }
        }
      }
      sim.runFor(r.nextInt(700));
    }
    for (SimCluster.Node n : sim.nodes.values()) {
      if (!n.up) {
        sim.restart(n.id);
      }
    }
    sim.calm();
    sim.awaitLeader(20_000);
    long last = sim.one("end", 5);
    // Every node has the same state machine once all have applied the same index.
    assertThat(sim.runUntil(() -> sim.appliedCount(last) == 5, 5_000)).isTrue();
    String v = sim.node(1).kv.value("churn");
    for (SimCluster.Node n : sim.nodes.values()) {
      assertThat(n.kv.value("churn")).isEqualTo(v);
    }
  }

  /**
   * Nodes restart constantly, at random instants, while elections compete (no pre-vote, so several
   * candidates share terms): a node that forgot its vote or an acknowledged entry would elect two
   * leaders in a term or lose a committed entry, which the simulation's checks catch.
   */
  @Test
  void crashRecoverStorm() {
    Seeds.run(CLASS, "crashRecoverStorm", 200, seed -> crashRecoverStorm(seed, SimDisk.factory(), 0));
  }

  /** With {@code snapshotEvery > 0}, nodes also snapshot (and the WAL compacts) every that many entries. */
  static void crashRecoverStorm(long seed, SimCluster.StorageFactory storage, int snapshotEvery) {
    SimCluster.Options opts = SimCluster.Options.reliable()
        .withConfig(id -> SimCluster.defaultConfig(id).toBuilder().preVote(false).checkQuorum(false).build());
    opts = new SimCluster.Options(0.05, 0.02, 1, 40, 0.05, 500, snapshotEvery, 0.02, opts.config());
    SimCluster sim = new SimCluster(seed, 3, opts, storage);
    SplittableRandom r = new SplittableRandom(seed * 7 + 1);
    long seq = 0;
    for (int step = 0; step < 150; step++) {
      SimCluster.Node l = sim.leader();
      if (l != null) {
        l.core.propose(new ClientCommand(5, ++seq, KvStateMachine.append("s", "z")).encode());
        sim.process(l);
      }
      sim.runFor(r.nextInt(120));
      if (r.nextInt(3) == 0) {
        sim.restart(r.nextInt(3) + 1);
      }
    }
    sim.awaitLeader(20_000);
    sim.one("end", 3);
  }
}
