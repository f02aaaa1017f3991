package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Exactly-once client requests: retries and duplicates are applied once, results come back when applied. */
class ClientTest {

  private static final String CLASS = "dev.quern.raft.ClientTest";

  @Test
  void duplicateRequestAppliedOnce() {
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine());
    CompletableFuture<byte[]> result = sm.resultOf(1, 1);
    assertThat(result).isNotDone();
    byte[] cmd = new ClientCommand(1, 1, KvStateMachine.append("k", "x")).encode();
    assertThat(new String(sm.apply(cmd), StandardCharsets.UTF_8)).isEqualTo("x");
    assertThat(result).isCompletedWithValueMatching(r -> new String(r, StandardCharsets.UTF_8).equals("x"));
    // The retry is committed again: same answer, not applied twice.
    assertThat(new String(sm.apply(cmd), StandardCharsets.UTF_8)).isEqualTo("x");
    assertThat(sm.applyCount()).isEqualTo(1);
    // The session table survives a snapshot.
    DedupStateMachine copy = new DedupStateMachine(new KvStateMachine());
    copy.restore(sm.snapshot());
    assertThat(new String(copy.apply(cmd), StandardCharsets.UTF_8)).isEqualTo("x");
    assertThat(copy.applyCount()).isZero();
    assertThat(copy.lastSequence(1)).isEqualTo(1);
  }

  @Test
  void duplicateProposalsInTheLogAreAppliedOnce() {
    Seeds.run(CLASS, "duplicateProposalsInTheLogAreAppliedOnce", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      byte[] cmd = new ClientCommand(9, 1, KvStateMachine.append("k", "once")).encode();
      long i1 = l.core.propose(cmd);
      long i2 = l.core.propose(cmd);
      sim.process(l);
      assertThat(sim.runUntil(() -> sim.appliedCount(i2) == 3, 2_000)).isTrue();
      assertThat(sim.appliedEntries.get(i1).data()).isEqualTo(sim.appliedEntries.get(i2).data());
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(n.kv.value("k")).isEqualTo("once");
      }
    });
  }

  @Test
  void retriesUnderFailuresApplyEachRequestOnce() {
    Map<String, Integer> duplicatesSeen = new HashMap<>();
    Seeds.run(CLASS, "retriesUnderFailuresApplyEachRequestOnce", 200, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.unreliable().withRestartAfterStep(0.003));
      SplittableRandom r = new SplittableRandom(seed * 5 + 1);
      List<SimCluster.Client> clients = List.of(sim.new Client(1), sim.new Client(2));
      StringBuilder[] expected = {new StringBuilder(), new StringBuilder()};
      for (int i = 0; i < 10; i++) {
        if (r.nextInt(3) == 0) {
          SimCluster.Node l = sim.leader();
          if (l != null) {
            sim.isolate(l.id); // the leader may have taken the request: the client must retry elsewhere
          }
        }
        int c = i % 2;
        String v = "<" + c + ":" + i + ">";
        String result = clients.get(c).append("k" + c, v, 60_000);
        expected[c].append(v);
        assertThat(result).isEqualTo(expected[c].toString());
        sim.heal();
      }
      sim.calm();
      long last = sim.one("end", 5);
      assertThat(sim.runUntil(() -> sim.appliedCount(last) == 5, 5_000)).isTrue();
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(n.kv.value("k0")).isEqualTo(expected[0].toString());
        assertThat(n.kv.value("k1")).isEqualTo(expected[1].toString());
      }
      // Count requests committed more than once: the dedup must have had something to do.
      Map<List<Long>, Integer> copies = new HashMap<>();
      for (Entry e : sim.appliedEntries.values()) {
        if (e.type() == EntryType.NORMAL) {
          ClientCommand cc = ClientCommand.decode(e.data());
          if (cc.clientId() != Long.MAX_VALUE) {
            copies.merge(List.of(cc.clientId(), cc.sequence()), 1, Integer::sum);
          }
        }
      }
      if (copies.values().stream().anyMatch(n -> n > 1)) {
        duplicatesSeen.merge("runs", 1, Integer::sum);
      }
    });
    if (System.getProperty("raft.seed") == null) {
      assertThat(duplicatesSeen.getOrDefault("runs", 0)).as("runs with a request committed twice").isPositive();
    }
  }
}
