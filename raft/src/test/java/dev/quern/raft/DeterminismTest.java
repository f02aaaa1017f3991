package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same seed gives the same run, message for message: what makes a failing seed replayable. */
class DeterminismTest {

  private static List<Object> run(long seed) {
    SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.unreliable().withSnapshotEvery(7).withRestartAfterStep(0.01));
    SimCluster.Client c = sim.new Client(1);
    for (int i = 0; i < 10; i++) {
      c.append("k", "" + i, 5_000);
      if (i % 3 == 0) {
        sim.isolate(i % 5 + 1);
      } else {
        sim.heal();
      }
    }
    List<Object> fingerprint = new ArrayList<>();
    fingerprint.add(sim.now);
    fingerprint.add(sim.messages);
    fingerprint.add(sim.appendRejects);
    fingerprint.add(new ArrayList<>(sim.appliedEntries.values()));
    for (SimCluster.Node n : sim.nodes.values()) {
      fingerprint.add(n.up ? n.core.hardState() : "down");
    }
    return fingerprint;
  }

  @Test
  void sameSeedSameRun() {
    for (long seed = 1; seed <= 20; seed++) {
      assertThat(run(seed)).as("seed %d", seed).isEqualTo(run(seed));
    }
    assertThat(run(1)).isNotEqualTo(run(2));
  }
}
