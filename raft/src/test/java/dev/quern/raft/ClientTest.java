package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  private static String value(byte[] encoded) {
    ClientResult r = ClientResult.decode(encoded);
    assertThat(r).as("result").isInstanceOf(ClientResult.Done.class);
    return new String(((ClientResult.Done) r).value(), StandardCharsets.UTF_8);
  }

  private static ClientResult.Reason refusal(byte[] encoded) {
    ClientResult r = ClientResult.decode(encoded);
    assertThat(r).as("result").isInstanceOf(ClientResult.Refused.class);
    return ((ClientResult.Refused) r).reason();
  }

  private static byte[] append(long client, long seq, long time, String v) {
    return new ClientCommand(client, seq, KvStateMachine.append("k", v)).at(time).encode();
  }

  @Test
  void duplicateRequestAppliedOnce() {
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine());
    CompletableFuture<ClientResult> result = sm.resultOf(1, 1);
    assertThat(result).isNotDone();
    byte[] cmd = new ClientCommand(1, 1, KvStateMachine.append("k", "x")).encode();
    assertThat(value(sm.apply(cmd))).isEqualTo("x");
    assertThat(result).isCompletedWithValue(new ClientResult.Done("x".getBytes(StandardCharsets.UTF_8)));
    // The retry is committed again: same answer, not applied twice.
    assertThat(value(sm.apply(cmd))).isEqualTo("x");
    assertThat(sm.applyCount()).isEqualTo(1);
    // The session table survives a snapshot.
    DedupStateMachine copy = new DedupStateMachine(new KvStateMachine());
    copy.restore(sm.snapshot());
    assertThat(value(copy.apply(cmd))).isEqualTo("x");
    assertThat(copy.applyCount()).isZero();
    assertThat(copy.lastSequence(1)).isEqualTo(1);
  }

  @Test
  void aRequestOlderThanTheLastAppliedIsRefusedNeverAnsweredOk() {
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine());
    assertThat(value(sm.apply(append(1, 1, 0, "a")))).isEqualTo("a");
    assertThat(value(sm.apply(append(1, 2, 0, "b")))).isEqualTo("ab");
    // Request 1 committed once more, late: it must not be applied, nor answered as if it were.
    byte[] late = sm.apply(append(1, 1, 0, "a"));
    assertThat(refusal(late)).isEqualTo(ClientResult.Reason.STALE);
    assertThat(((ClientResult.Refused) ClientResult.decode(late)).detail())
        .contains("sequence 1 of client 1").contains("last applied 2");
    assertThat(sm.applyCount()).isEqualTo(2);
    // A client with no session cannot start at a high number (it may be a retry of a forgotten one).
    assertThat(refusal(sm.apply(append(2, 5, 0, "z")))).isEqualTo(ClientResult.Reason.NO_SESSION);
    assertThat(sm.applyCount()).isEqualTo(2);
  }

  @Test
  void aPipeliningClientsRequestsMayCommitOutOfOrderWithinTheWindow() {
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine(), 4, 0);
    assertThat(value(sm.apply(append(1, 2, 0, "b")))).isEqualTo("b");
    assertThat(value(sm.apply(append(1, 1, 0, "a")))).isEqualTo("ba");
    assertThat(value(sm.apply(append(1, 4, 0, "d")))).isEqualTo("bad");
    assertThat(value(sm.apply(append(1, 2, 0, "b")))).isEqualTo("b"); // duplicate: the first answer
    assertThat(value(sm.apply(append(1, 3, 0, "c")))).isEqualTo("badc");
    assertThat(sm.applyCount()).isEqualTo(4);
    // Still a duplicate after a snapshot; and 1 falls out of the window once 5 is applied.
    DedupStateMachine copy = new DedupStateMachine(new KvStateMachine(), 4, 0);
    copy.restore(sm.snapshot());
    assertThat(value(copy.apply(append(1, 3, 0, "c")))).isEqualTo("badc");
    assertThat(value(copy.apply(append(1, 5, 0, "e")))).isEqualTo("badce");
    assertThat(refusal(copy.apply(append(1, 1, 0, "a")))).isEqualTo(ClientResult.Reason.STALE);
    assertThat(copy.applyCount()).isEqualTo(1);
  }

  @Test
  void aResultIsAnsweredOnlyForItsOwnNumberWhenTheWindowMovesOn() {
    // Window 4: the results of 3 and 7 share a slot; after 7, 3 is out of the window (STALE), 5
    // and 6 were never applied (applied now), and a repeat of 7 gets 7's answer.
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine(), 4, 0);
    for (int seq = 1; seq <= 3; seq++) {
      sm.apply(append(1, seq, 0, "" + seq));
    }
    assertThat(value(sm.apply(append(1, 7, 0, "7")))).isEqualTo("1237");
    assertThat(refusal(sm.apply(append(1, 3, 0, "3")))).isEqualTo(ClientResult.Reason.STALE);
    assertThat(value(sm.apply(append(1, 5, 0, "5")))).isEqualTo("12375");
    DedupStateMachine copy = new DedupStateMachine(new KvStateMachine(), 4, 0);
    copy.restore(sm.snapshot());
    for (DedupStateMachine m : List.of(sm, copy)) {
      assertThat(value(m.apply(append(1, 7, 0, "7")))).isEqualTo("1237");
      assertThat(value(m.apply(append(1, 5, 0, "5")))).isEqualTo("12375");
      assertThat(value(m.apply(append(1, 6, 0, "6")))).isEqualTo("123756");
      assertThat(refusal(m.apply(append(1, 3, 0, "3")))).isEqualTo(ClientResult.Reason.STALE);
    }
    assertThat(copy.snapshot()).isEqualTo(sm.snapshot());
  }

  @Test
  void sessionsExpireByTheTimeInTheLogTheSameOnEveryReplica() {
    long timeout = 60_000;
    List<byte[]> log = List.of(
        append(1, 1, 1_000, "a"),
        append(2, 1, 2_000, "x"),
        append(2, 2, 40_000, "y"),
        append(2, 3, 62_000, "z"),  // log time 62 s: client 1 (last seen at 1 s) has expired
        append(1, 2, 62_500, "b"),  // so its next request finds no session
        append(2, 4, 63_000, "w"));
    DedupStateMachine a = new DedupStateMachine(new KvStateMachine(), 1, timeout);
    List<String> outcomes = new java.util.ArrayList<>();
    for (byte[] cmd : log) {
      outcomes.add(ClientResult.decode(a.apply(cmd)).toString());
    }
    assertThat(outcomes.get(4)).startsWith("Refused[reason=NO_SESSION");
    assertThat(outcomes.get(5)).isEqualTo("Done[axyzw]"); // one key: client 1's "a" stays
    assertThat(a.lastSequence(1)).isZero();
    assertThat(a.logTime()).isEqualTo(63_000);
    // A replica that restored a snapshot taken midway decides the same and ends in the same state,
    // whatever its own clock says: time comes only from the log.
    DedupStateMachine b = new DedupStateMachine(new KvStateMachine(), 1, timeout);
    DedupStateMachine mid = new DedupStateMachine(new KvStateMachine(), 1, timeout);
    for (int i = 0; i < 3; i++) {
      mid.apply(log.get(i));
    }
    b.restore(mid.snapshot());
    List<String> replayed = new java.util.ArrayList<>(outcomes.subList(0, 3));
    for (int i = 3; i < log.size(); i++) {
      replayed.add(ClientResult.decode(b.apply(log.get(i))).toString());
    }
    assertThat(replayed).isEqualTo(outcomes);
    assertThat(b.snapshot()).isEqualTo(a.snapshot());
    // A command stamped earlier (a node with a slow clock) does not move the log's time back.
    a.apply(append(3, 1, 10, "q"));
    assertThat(a.logTime()).isEqualTo(63_000);
  }

  @Test
  void expiredSessionsAreFreed() {
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine(), 1, 1_000);
    for (long c = 1; c <= 100; c++) {
      sm.apply(new ClientCommand(c, 1, KvStateMachine.append("k" + c, "v")).at(c).encode());
    }
    assertThat(sm.sessionCount()).isEqualTo(100);
    sm.apply(new ClientCommand(1000, 1, KvStateMachine.append("k", "v")).at(10_000).encode());
    assertThat(sm.sessionCount()).isEqualTo(1);
  }

  @Test
  void commandsAndResultsOfAnotherVersionAreRefusedByName() {
    byte[] cmd = new ClientCommand(1, 1, new byte[] {1}).encode();
    cmd[0] = 9;
    assertThatThrownBy(() -> ClientCommand.decode(cmd)).hasMessageContaining("version 9");
    assertThatThrownBy(() -> ClientResult.decode(new byte[] {7, 0})).hasMessageContaining("version 7");
    assertThatThrownBy(() -> ClientResult.decode(new byte[] {ClientResult.VERSION, 42}))
        .hasMessageContaining("code 42");
    assertThat(ClientCommand.decode(new ClientCommand(3, 4, 5, new byte[] {6}).encode()))
        .isEqualTo(new ClientCommand(3, 4, 5, new byte[] {6}));
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
