package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Followers forward proposals and ReadIndex requests to the leader, so a client may ask any node. */
class ForwardingTest {

  private static final String CLASS = "dev.quern.raft.ForwardingTest";

  private static SimCluster.Node follower(SimCluster sim, long not) {
    return sim.nodes.values().stream()
        .filter(n -> n.up && !n.core.isLeader() && n.id != not && n.core.leader() != RaftCore.NONE)
        .findFirst().orElse(null);
  }

  /**
   * A client sends each request to a follower, which forwards it; for every other request it also sends
   * it again at once through a second follower (both copies are committed), and for the rest the
   * leader is crashed while the forward is in flight and the client retries the same request (same
   * sequence number) at another follower. Every request applies exactly once: the value holds each written piece once, in order, on every node.
   */
  @Test
  void forwardedProposalsApplyExactlyOnce() {
    Seeds.run(CLASS, "forwardedProposalsApplyExactlyOnce", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 5, SimCluster.Options.reliable());
      sim.awaitLeader(10_000);
      sim.one("warm", 5);
      long clientId = 7;
      StringBuilder expected = new StringBuilder();
      for (long seq = 1; seq <= 6; seq++) {
        String piece = "<" + seq + ">";
        byte[] cmd = new ClientCommand(clientId, seq, KvStateMachine.append("k", piece)).encode();
        List<Long> key = List.of(clientId, seq);
        boolean crashed = false;
        int attempts = 0;
        while (!sim.clientResults.containsKey(key)) {
          assertThat(attempts++).as("attempts for %d: %s", seq, sim.describe()).isLessThan(200);
          SimCluster.Node leader = sim.leader();
          SimCluster.Node f = follower(sim, leader == null ? 0 : leader.id);
          if (f == null) {
            sim.runFor(100);
            continue;
          }
          long r = f.core.proposeOrForward(cmd);
          sim.process(f);
          SimCluster.Node f2 = follower(sim, f.id);
          if (seq % 2 == 1 && attempts == 1 && f2 != null && (leader == null || f2.id != leader.id)) {
            // A client that gave up too early and asked another node: the log gets the command twice.
            assertThat(f2.core.proposeOrForward(cmd)).isEqualTo(RaftCore.FORWARDED);
            sim.process(f2);
            sim.runUntil(() -> sim.clientResults.containsKey(key), 1_000);
            sim.runFor(500);
            assertThat(copies(sim, cmd)).as("copies of request %d in the log", seq).isEqualTo(2);
          }
          if (r == RaftCore.FORWARDED && seq % 2 == 0 && !crashed && leader != null) {
            // The forward is on its way (or already appended); the leader goes before the client hears.
            sim.runFor(1 + sim.rnd.nextInt(20));
            crashed = true;
            sim.crash(leader.id);
            sim.awaitLeader(10_000);
            sim.restart(leader.id);
            continue;
          }
          sim.runUntil(() -> sim.clientResults.containsKey(key), 1_000);
        }
        expected.append(piece);
      }
      long last = sim.one("end", 5);
      for (SimCluster.Node n : sim.nodes.values()) {
        assertThat(sim.runUntil(() -> n.applied >= last, 5_000)).isTrue();
        assertThat(n.kv.value("k")).as("node %d", n.id).isEqualTo(expected.toString());
      }
    });
  }

  private static long copies(SimCluster sim, byte[] cmd) {
    return sim.appliedEntries.values().stream().filter(e -> java.util.Arrays.equals(e.data(), cmd)).count();
  }

  /**
   * A read asked at a follower is confirmed by the leader and served by the follower only once it has
   * applied up to the read index; SimCluster fails a read served below what was applied anywhere when
   * it was asked, and the follower's state then holds every write completed before the read.
   */
  @Test
  void readIndexAtAFollower() {
    Seeds.run(CLASS, "readIndexAtAFollower", 50, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Client c = sim.new Client(1);
      StringBuilder written = new StringBuilder();
      for (int i = 1; i <= 5; i++) {
        assertThat(c.append("k", "" + i, 10_000)).isNotNull();
        written.append(i);
        SimCluster.Node l = sim.awaitLeader(5_000);
        SimCluster.Node f = follower(sim, l.id);
        assertThat(f).isNotNull();
        long ctx = i;
        sim.readAskedAtCommit.put(ctx, sim.maxApplied());
        String[] seen = {null};
        sim.checkEveryStep(() -> {
          if (seen[0] == null && sim.readsServed.containsKey(ctx)) {
            seen[0] = f.kv.value("k");
          }
        });
        assertThat(f.core.readIndexOrForward(ctx)).isTrue();
        sim.process(f);
        assertThat(sim.runUntil(() -> seen[0] != null, 1_000)).as("read %d served", i).isTrue();
        assertThat(sim.readsServed.get(ctx)).isGreaterThanOrEqualTo(sim.readAskedAtCommit.get(ctx));
        assertThat(seen[0]).isEqualTo(written.toString());
      }
      // With no leader known, a follower refuses as before.
      SimCluster.Node l = sim.awaitLeader(5_000);
      for (SimCluster.Node n : sim.nodes.values()) {
        if (n.id != l.id) {
          sim.isolate(n.id);
        }
      }
      sim.runFor(5_000);
      SimCluster.Node cut = sim.nodes.values().stream().filter(n -> n.id != l.id).findFirst().orElseThrow();
      assertThat(cut.core.leader()).isEqualTo(RaftCore.NONE);
      assertThat(cut.core.readIndexOrForward(99)).isFalse();
      assertThat(cut.core.proposeOrForward("x".getBytes(StandardCharsets.UTF_8))).isZero();
    });
  }
}
