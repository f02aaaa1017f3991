package dev.quern.raft.kvdemo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.lincheck.CheckResult;
import dev.quern.raft.lincheck.KvInput;
import dev.quern.raft.lincheck.KvModel;
import dev.quern.raft.lincheck.LinearizabilityChecker;
import dev.quern.raft.lincheck.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three master JVMs on 127.0.0.1 with the durable WAL, under clients that keep writing: SIGKILL the
 * leader, a new one takes writes, the killed one comes back and catches up; then SIGKILL all three
 * at once and restart them. No acknowledged write may be lost and the whole history, final reads
 * included, must be linearizable.
 */
class KvDemoProcessTest {

  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir
  Path root;

  private KvDemoProcesses masters;

  @AfterEach
  void killAll() {
    if (masters != null) {
      masters.close();
    }
  }

  @Test
  void survivesLeaderKillAndFullRestartWithoutLosingAcknowledgedWrites() throws Exception {
    long seed = Long.getLong("quern.test.seed", System.nanoTime());
    System.out.println("KvDemoProcessTest seed " + seed);
    masters = new KvDemoProcesses(root, 3,
        List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
        // Snapshots every 100 entries and 64 KiB segments: restarts recover from snapshot + WAL.
        List.of("--snapshot-every", "100", "--segment-bytes", Integer.toString(64 << 10)));
    for (int id = 1; id <= 3; id++) {
      masters.start(id);
    }
    int leader = masters.awaitLeader(BOUND);

    KvWorkload clients = new KvWorkload(masters, seed);
    clients.start(4);
    awaitMoreAcks(clients, 60);

    masters.kill(leader);
    int killed = leader;
    masters.await("new leader", BOUND, () -> {
      int l = masters.leader();
      return l != 0 && l != killed;
    });
    awaitMoreAcks(clients, 60); // the new leader serves writes

    masters.start(killed);
    masters.await("master " + killed + " catching up", BOUND, () -> caughtUp(killed));
    awaitMoreAcks(clients, 60);

    for (int id = 1; id <= 3; id++) {
      masters.kill(id);
    }
    for (int id = 1; id <= 3; id++) {
      masters.start(id);
    }
    masters.awaitLeader(BOUND);
    awaitMoreAcks(clients, 60);
    clients.stop();

    // Final reads of every key, as operations of their own client, after all writes returned.
    Stream.concat(Stream.of(KvWorkload.APPEND_KEYS), Stream.of(KvWorkload.PUT_KEY)).forEach(key -> {
      Operation<KvInput, String> read = clients.performOnce(99, KvInput.get(key), "GET " + key);
      assertThat(read.isPending()).as("final read of %s (seed %d)", key, seed).isFalse();
      assertThat(lostAppends(clients.history(), key, read.output()))
          .as("acknowledged appends missing from %s (seed %d)", key, seed).isEmpty();
    });

    // Bad requests get an error naming what is wrong, and change nothing.
    try (LineClient c = new LineClient(masters.clientPort(1), 10_000)) {
      assertThat(c.call("APPEND one 1 a0 x")).startsWith("ERR bad number").contains("APPEND one 1 a0 x");
      assertThat(c.call("PUT 1 2 p0")).startsWith("ERR PUT needs <client> <seq> <key> <value>");
      assertThat(c.call("FROB a0")).isEqualTo("ERR unknown op 'FROB'");
    }

    List<Operation<KvInput, String>> history = clients.history();
    long pending = history.stream().filter(Operation::isPending).count();
    long writes = history.stream().filter(o -> o.input().kind() != KvInput.Kind.GET && !o.isPending()).count();
    CheckResult verdict = LinearizabilityChecker.check(new KvModel(), history, Duration.ofSeconds(60));
    System.out.printf("KvDemoProcessTest: %d operations (%d acknowledged writes, %d pending), %s%n",
        history.size(), writes, pending, verdict.outcome());
    assertThat(verdict.isOk()).as("linearizability (seed %d): %s", seed, verdict).isTrue();
    assertThat(snapshotFiles()).as("some master wrote a snapshot").isPositive();
  }

  private void awaitMoreAcks(KvWorkload clients, int more) throws InterruptedException {
    int target = clients.acknowledged() + more;
    masters.await(more + " more acknowledged writes", BOUND, () -> clients.acknowledged() >= target);
  }

  /** Whether {@code id} has applied everything the leader had committed when asked. */
  private boolean caughtUp(int id) {
    int leader = masters.leader();
    if (leader == 0) {
      return false;
    }
    String commit = masters.status(leader).get("commit");
    String applied = masters.status(id).get("applied");
    return commit != null && applied != null && Long.parseLong(applied) >= Long.parseLong(commit);
  }

  private static List<String> lostAppends(List<Operation<KvInput, String>> history, String key, String finalValue) {
    return history.stream()
        .filter(o -> !o.isPending() && o.input().kind() == KvInput.Kind.APPEND && o.input().key().equals(key))
        .map(o -> o.input().value())
        .filter(token -> !finalValue.contains(token))
        .toList();
  }

  private long snapshotFiles() throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.getFileName().toString().startsWith("snap")).count();
    }
  }
}
