package dev.quern.raft.kvdemo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.lincheck.CheckResult;
import dev.quern.raft.lincheck.KvInput;
import dev.quern.raft.lincheck.KvModel;
import dev.quern.raft.lincheck.LinearizabilityChecker;
import dev.quern.raft.lincheck.Operation;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three master JVMs on 127.0.0.1 with the durable WAL, under clients that keep writing: SIGKILL the
 * leader, a new one takes writes, the killed one comes back and catches up; then SIGKILL all three
 * at once and restart them. No acknowledged write may be lost and the whole history, final reads
 * included, must be linearizable.
 *
 * <p>The masters run in a {@link TestProcesses} group: they die with the test whatever happens, and
 * the logs of a failed run stay under {@code target/test-processes/KvDemoProcessTest/} (named in the
 * failure). Their data directories are in a temporary directory.
 */
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
// Each wait below is bounded; together with three JVM starts per phase and an unbudgeted check of a
// few thousand operations they may need more than the default on a loaded machine.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KvDemoProcessTest {

  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir
  Path data;

  @Test
  void survivesLeaderKillAndFullRestartWithoutLosingAcknowledgedWrites(Seed seed, TestProcesses procs)
      throws Exception {
    KvDemoProcesses masters = new KvDemoProcesses(procs, data, 3,
        List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
        // Snapshots every 100 entries and 64 KiB segments: restarts recover from snapshot + WAL.
        List.of("--snapshot-every", "100", "--segment-bytes", Integer.toString(64 << 10)));
    masters.start(1, 2, 3);
    int leader = masters.awaitLeader(BOUND);

    List<Operation<KvInput, String>> history;
    try (KvWorkload clients = new KvWorkload(masters, seed.value())) {
      clients.start(4);
      awaitMoreAcks(masters, clients, 60, "with all three up");

      masters.kill(leader);
      int killed = leader;
      masters.await("new leader", BOUND, () -> {
        int l = masters.leader();
        return l != 0 && l != killed;
      });
      awaitMoreAcks(masters, clients, 60, "from the new leader"); // the new leader serves writes

      // What the leader had committed when the killed master came back: the clients keep writing, so
      // a moving target (the leader's commit at each check) may stay a few entries ahead for ever.
      long committed = leaderCommit(masters);
      masters.start(killed);
      masters.await("master " + killed + " catching up to index " + committed, BOUND,
          () -> applied(masters, killed) >= committed);
      awaitMoreAcks(masters, clients, 60, "with the killed master back");

      for (int id = 1; id <= 3; id++) {
        masters.kill(id);
      }
      masters.start(1, 2, 3);
      masters.awaitLeader(BOUND);
      awaitMoreAcks(masters, clients, 60, "after the full restart");
      clients.stop();

      // Final reads of every key, as operations of their own client, after all writes returned.
      Stream.concat(Stream.of(KvWorkload.APPEND_KEYS), Stream.of(KvWorkload.PUT_KEY)).forEach(key -> {
        Operation<KvInput, String> read = clients.performOnce(99, KvInput.get(key), "GET " + key);
        assertThat(read.isPending()).as("final read of %s", key).isFalse();
        assertThat(lostAppends(clients.history(), key, read.output()))
            .as("acknowledged appends missing from %s", key).isEmpty();
      });
      history = clients.history();
    }

    // Bad requests get an error naming what is wrong, and change nothing.
    try (LineClient c = new LineClient(masters.clientPort(1), 10_000)) {
      assertThat(c.call("APPEND one 1 a0 x")).startsWith("ERR bad number").contains("APPEND one 1 a0 x");
      assertThat(c.call("PUT 1 2 p0")).startsWith("ERR PUT needs <client> <seq> <key> <value>");
      assertThat(c.call("FROB a0")).isEqualTo("ERR unknown op 'FROB'");
    }

    long pending = history.stream().filter(Operation::isPending).count();
    long writes = history.stream().filter(o -> o.input().kind() != KvInput.Kind.GET && !o.isPending()).count();
    // No time budget (as in RandomHistoryTest): the history is bounded, so the check ends with a
    // verdict, and an UNKNOWN on a slow machine would say nothing about the masters.
    long start = System.nanoTime();
    CheckResult verdict = LinearizabilityChecker.check(new KvModel(), history);
    System.out.printf("KvDemoProcessTest: %d operations (%d acknowledged writes, %d pending), %s in %d ms;"
            + " Raft ports chosen %d time(s)%n", history.size(), writes, pending, verdict.outcome(),
        (System.nanoTime() - start) / 1_000_000, masters.portChoices());
    assertThat(verdict.outcome()).as("linearizability: %s", verdict).isEqualTo(CheckResult.Outcome.OK);
    assertThat(snapshotFiles()).as("snapshot files written by the masters").isPositive();
  }

  private static void awaitMoreAcks(KvDemoProcesses masters, KvWorkload clients, int more, String phase) {
    int target = clients.acknowledged() + more;
    // Writes go on past the target, through the kill, election or catch-up that follows, but stop
    // after a bounded number: a long wait on a loaded machine cannot use up the clients' operations.
    clients.allow(5 * more);
    masters.await(more + " more acknowledged writes " + phase, BOUND, () -> {
      if (clients.acknowledged() >= target) {
        return true;
      }
      if (clients.exhausted()) {
        throw new AssertionError("the clients made their " + KvWorkload.MAX_OPERATIONS
            + " operations before " + more + " more writes were acknowledged " + phase);
      }
      return false;
    });
  }

  /** The leader's commit index, waiting (bounded) for a leader that answers. */
  private static long leaderCommit(KvDemoProcesses masters) {
    long[] commit = {-1};
    masters.await("the leader's commit index", BOUND, () -> {
      int leader = masters.leader();
      String c = leader == 0 ? null : masters.status(leader).get("commit");
      if (c != null) {
        commit[0] = Long.parseLong(c);
      }
      return c != null;
    });
    return commit[0];
  }

  /** What {@code id} has applied, or -1 while it does not answer. */
  private static long applied(KvDemoProcesses masters, int id) {
    String applied = masters.status(id).get("applied");
    return applied == null ? -1 : Long.parseLong(applied);
  }

  private static List<String> lostAppends(List<Operation<KvInput, String>> history, String key, String finalValue) {
    return history.stream()
        .filter(o -> !o.isPending() && o.input().kind() == KvInput.Kind.APPEND && o.input().key().equals(key))
        .map(o -> o.input().value())
        .filter(token -> !finalValue.contains(token))
        .toList();
  }

  private long snapshotFiles() throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().startsWith("snap")).count();
    }
  }
}
