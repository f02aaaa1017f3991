package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.quern.raft.Message.AppendEntries;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Memory stays bounded while a follower lags: one follower is cut off and a proposer pushes at the
 * leader as fast as it takes proposals. At every step of the simulation the leader's uncommitted
 * bytes and its in-flight bytes to each follower stay within their bounds — as the core counts them
 * and as the test counts them itself from what was proposed and what went on the wire — while the
 * remaining majority keeps committing; after healing, the follower catches up.
 */
class FlowControlTest {

  private static final String CLASS = "dev.quern.raft.FlowControlTest";

  private static final int MAX_ENTRY = 1024;
  private static final int MAX_PER_MESSAGE = 4096;
  private static final long MAX_INFLIGHT = 16 * 1024;
  private static final long MAX_UNCOMMITTED = 32 * 1024;
  private static final int SNAPSHOT_EVERY = 200;

  private static RaftConfig config(long id) {
    // Many messages allowed in flight, so that the byte bound is the one that binds.
    return RaftConfig.builder(id).maxEntriesPerMessage(64).maxInflight(64).snapshotChunkBytes(256)
        .maxEntryBytes(MAX_ENTRY).maxBytesPerMessage(MAX_PER_MESSAGE)
        .maxInflightBytes(MAX_INFLIGHT).maxUncommittedBytes(MAX_UNCOMMITTED).build();
  }

  @Test
  void aLaggingFollowerCostsBoundedMemoryAndTheMajorityGoesOn() {
    Seeds.run(CLASS, "aLaggingFollowerCostsBoundedMemoryAndTheMajorityGoesOn", 20, seed -> {
      SimCluster sim = new SimCluster(seed, 3,
          SimCluster.Options.reliable().withSnapshotEvery(SNAPSHOT_EVERY).withConfig(FlowControlTest::config));
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("warm-up", 3);
      long f = l.id % 3 + 1;
      long g = 6 - l.id - f;
      RaftCore leader = l.core;

      // The test's own accounting: commands the leader accepted (index -> bytes), and entry bytes sent to f.
      TreeMap<Long, Long> accepted = new TreeMap<>();
      long[] sentToF = {0};
      boolean[] cut = {false};
      long[] peakInflightF = {0};
      sim.onSend(m -> {
        if (cut[0] && m instanceof AppendEntries a && a.from() == l.id && a.to() == f) {
          a.entries().forEach(e -> sentToF[0] += e.size());
        }
      });
      sim.checkEveryStep(() -> {
        if (l.core != leader || !leader.isLeader()) {
          fail("the leader changed: " + sim.describe());
        }
        long uncommitted = leader.uncommittedBytes();
        assertThat(uncommitted).isLessThanOrEqualTo(MAX_UNCOMMITTED);
        long counted = accepted.tailMap(leader.commitIndex(), false).values().stream().mapToLong(Long::longValue).sum();
        assertThat(uncommitted).as("uncommitted bytes as the test counts them").isEqualTo(counted);
        assertThat(leader.inflightBytes(f)).isBetween(0L, MAX_INFLIGHT);
        assertThat(leader.inflightBytes(g)).isBetween(0L, MAX_INFLIGHT);
        assertThat(sentToF[0]).as("entry bytes sent to the cut-off follower").isLessThanOrEqualTo(MAX_INFLIGHT);
        // The log in memory: at most a snapshot interval of applied entries plus the uncommitted tail.
        assertThat(leader.lastIndex() - leader.firstIndex() + 1).isLessThanOrEqualTo(SNAPSHOT_EVERY + 100L);
        peakInflightF[0] = Math.max(peakInflightF[0], leader.inflightBytes(f));
      });

      // Cut f off once the leader has heard every ack (so both followers are pipelining, in REPLICATE;
      // a follower still in PROBE would get one append at a time, not counted in the window).
      assertThat(sim.runUntil(() -> leader.matchIndex(f) == leader.lastIndex()
          && leader.matchIndex(g) == leader.lastIndex(), 1_000)).isTrue();
      sim.isolate(f);
      cut[0] = true;
      long commitAtCut = leader.commitIndex();
      long appliedByF = sim.node(f).applied;
      long seq = 0;
      int refusals = 0;
      long end = sim.now + 500;
      while (sim.now < end) {
        while (true) { // as fast as the leader takes them
          byte[] cmd = new ClientCommand(1, seq + 1, KvStateMachine.put("k" + (seq % 16), "x".repeat(900))).encode();
          try {
            long index = leader.propose(cmd);
            if (index == 0) {
              fail("the leader refused as not leader: " + sim.describe());
            }
            accepted.put(index, (long) cmd.length + Entry.OVERHEAD);
            seq++;
          } catch (UncommittedLimitException e) {
            refusals++;
            break;
          }
        }
        sim.process(l);
        sim.runFor(1);
      }
      long committed = leader.commitIndex() - commitAtCut;
      assertThat(refusals).as("the proposer ran into the bound").isPositive();
      assertThat(committed).as("entries the majority committed while f was cut off").isGreaterThan(200);
      assertThat(sim.node(g).applied).isGreaterThan(commitAtCut + 200);
      assertThat(sim.node(f).applied).isEqualTo(appliedByF);
      // The window to f filled up (to within one entry) and then nothing more went to f.
      assertThat(peakInflightF[0]).isGreaterThan(MAX_INFLIGHT - MAX_ENTRY - Entry.OVERHEAD);
      assertThat(sentToF[0]).isLessThanOrEqualTo(peakInflightF[0]);

      // Heal: f catches up (from the leader's snapshot, the log it lacks having been compacted).
      sim.checkEveryStep(() -> { });
      cut[0] = false;
      sim.heal();
      long target = leader.commitIndex();
      assertThat(leader.firstIndex()).isGreaterThan(appliedByF + 1);
      assertThat(sim.runUntil(() -> sim.node(f).applied >= target, 20_000)).as("f caught up").isTrue();
      sim.one("after", 3);
      for (int k = 0; k < 16; k++) {
        assertThat(sim.node(f).kv.value("k" + k)).isEqualTo(sim.node(g).kv.value("k" + k)).isNotEmpty();
      }
    });
  }
}
