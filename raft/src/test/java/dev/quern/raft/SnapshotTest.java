package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Log compaction and InstallSnapshot in chunks to lagging, restarted and crashing followers. */
class SnapshotTest {

  private static final String CLASS = "dev.quern.raft.SnapshotTest";

  private static SimCluster.Options snapshotting() {
    return SimCluster.Options.reliable().withSnapshotEvery(10);
  }

  /** Writes distinct keys so the state machine image spans several 256-byte chunks. */
  private static void write(SimCluster sim, SimCluster.Client c, int from, int to) {
    for (int i = from; i < to; i++) {
      assertThat(c.append("key" + i, "value-" + i + "-0123456789", 10_000)).isNotNull();
    }
  }

  private static void assertSameState(SimCluster sim, int keys) {
    for (SimCluster.Node n : sim.nodes.values()) {
      for (int i = 0; i < keys; i++) {
        assertThat(n.kv.value("key" + i)).as("node %d key%d", n.id, i).isEqualTo("value-" + i + "-0123456789");
      }
    }
  }

  @Test
  void laggingFollowerCatchesUpFromSnapshotChunks() {
    Seeds.run(CLASS, "laggingFollowerCatchesUpFromSnapshotChunks", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, snapshotting());
      SimCluster.Client c = sim.new Client(1);
      SimCluster.Node l = sim.awaitLeader(5_000);
      long lagging = l.id % 3 + 1;
      sim.isolate(lagging);
      write(sim, c, 0, 40);
      SimCluster.Node leader = sim.leader();
      assertThat(leader.core.firstIndex()).isGreaterThan(sim.node(lagging).core.lastIndex() + 1);
      long chunksBefore = sim.snapshotChunks;
      sim.heal();
      long target = sim.maxApplied();
      assertThat(sim.runUntil(() -> sim.node(lagging).applied >= target, 10_000)).isTrue();
      assertThat(sim.node(lagging).store.load().snapshot().index()).isGreaterThan(0);
      // The image (40 keys of about 30 bytes) is several 256-byte chunks.
      assertThat(sim.snapshotChunks - chunksBefore).as("InstallSnapshot chunks sent").isGreaterThan(1);
      write(sim, c, 40, 45);
      assertThat(sim.runUntil(() -> sim.appliedCount(sim.maxApplied()) == 3, 5_000)).as(sim.describe()).isTrue();
      assertSameState(sim, 45);
    });
  }

  @Test
  void restartedFollowerCatchesUpFromSnapshot() {
    Seeds.run(CLASS, "restartedFollowerCatchesUpFromSnapshot", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, snapshotting());
      SimCluster.Client c = sim.new Client(1);
      write(sim, c, 0, 15);
      long down = sim.awaitLeader(5_000).id % 3 + 1;
      sim.crash(down);
      write(sim, c, 15, 45);
      sim.restart(down);
      long target = sim.maxApplied();
      assertThat(sim.runUntil(() -> sim.node(down).applied >= target, 10_000)).isTrue();
      // Restart everything: state comes back from snapshot plus log.
      for (long id = 1; id <= 3; id++) {
        sim.restart(id);
      }
      write(sim, c, 45, 48);
      assertThat(sim.runUntil(() -> sim.appliedCount(sim.maxApplied()) == 3, 5_000)).as(sim.describe()).isTrue();
      assertSameState(sim, 48);
    });
  }

  @Test
  void snapshotsWithCrashesAndUnreliableNetwork() {
    Seeds.run(CLASS, "snapshotsWithCrashesAndUnreliableNetwork", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.unreliable().withSnapshotEvery(10).withRestartAfterStep(0.003));
      SimCluster.Client c = sim.new Client(1);
      SplittableRandom r = new SplittableRandom(seed + 99);
      int keys = 0;
      for (int round = 0; round < 6; round++) {
        long victim = r.nextInt(5) + 1;
        if (r.nextBoolean()) {
          sim.crash(victim);
        } else {
          sim.isolate(victim);
        }
        for (int i = 0; i < 5; i++) {
          assertThat(c.append("key" + keys, "value-" + keys + "-0123456789", 30_000)).isNotNull();
          keys++;
        }
        if (!sim.node(victim).up) {
          sim.restart(victim);
        }
        sim.heal();
      }
      sim.calm();
      sim.awaitLeader(20_000);
      long last = sim.one("end", 5);
      assertThat(sim.runUntil(() -> sim.appliedCount(last) == 5, 5_000)).isTrue();
      assertSameState(sim, keys);
    });
  }
}
