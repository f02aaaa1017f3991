package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.raft.Entry;
import dev.quern.raft.storage.RaftLogStore;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job of some 5,000 splits on three masters: far more than one Raft entry could hold (at about
 * 100 bytes a split), so it runs only because the split list is stored by hash on a majority of
 * masters and the log entry names it. The leader is SIGKILLed while the maps wait at their gate;
 * the next leader must get the list from its own store or from another master before it can
 * schedule the remaining maps. The output is checked against a count made here, and the dead
 * leader's log against the size of the list.
 */
@Timeout(1500)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // else SharedProcesses' afterAll never runs
@ExtendWith(Seeds.class)
class ClusterSplitListTest {
  private static final int SPLITS = 5_000;
  /**
   * Some 10,000 log entries' worth of attempts: each map's start and end is committed before the
   * next step, so the job takes minutes on a loaded two-core machine (about 10 maps a second
   * at a load average of 30; the test's other waits are the suite's).
   */
  private static final java.time.Duration FINISH = java.time.Duration.ofMinutes(15);

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @Test
  void aJobOfFiveThousandSplitsSurvivesTheLeadersSigkill(@TempDir Path tmp, Seed seed)
      throws Exception {
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"),
        procs.open(getClass()), 8, "w1", "w2");
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 8, 400);
    long total = 0;
    List<Long> sizes = new ArrayList<>();
    try (Stream<Path> files = Files.list(in)) {
      for (Path f : files.toList()) {
        sizes.add(Files.size(f));
        total += Files.size(f);
      }
    }
    // One split per this many bytes: about SPLITS in all (each file's last split may be short).
    long splitSize = Math.max(1, total / SPLITS);
    long planned = sizes.stream().mapToLong(s -> splitCount(s, splitSize)).sum();
    assertTrue(planned >= 4_000 && planned <= 6_000, "planned " + planned + " splits");
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Files.createFile(gate.resolve("hold-map"));
    Path out = tmp.resolve("out");
    Path jar = ClusterFixture.gatedJar(tmp.resolve("gated.jar"));
    TestProcess client = cluster.procs.start("client",
        new ProcessBuilder(ClusterFixture.quern("submit", "-Dquern.input.split-size=" + splitSize,
            "--master", cluster.address(), jar.toString(), GatedWordCount.class.getName(),
            in.toString(), out.toString(), gate.toString())));

    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(gate, "map").size() >= 1);
    String job = cluster.awaitOnlyJob();
    long maps = 0;
    for (com.fasterxml.jackson.databind.JsonNode t : cluster.tasks(job)) {
      maps += t.path("kind").asText().equals("MAP") ? 1 : 0;
    }
    assertEquals(planned, maps, "map tasks of " + job);
    String leader = Await.value(START, "a leader", () -> cluster.leader().orElse(null));
    // The list is on a majority of masters before the job is accepted.
    Map<String, Long> holders = splitLists(cluster);
    assertTrue(holders.size() >= 2, "split lists held: " + holders);
    long listBytes = holders.values().iterator().next();
    assertTrue(listBytes > 50L * planned, "a list of " + planned + " splits in " + listBytes
        + " bytes");

    cluster.kill(leader);
    Files.delete(gate.resolve("hold-map"));
    long killed = System.nanoTime();
    assertEquals(0, client.awaitExit(FINISH), () -> client.tail(60));
    System.out.printf("%d maps: the job ended %d s after the leader's SIGKILL%n", planned,
        (System.nanoTime() - killed) / 1_000_000_000L);
    assertEquals(ClusterFixture.expectedCounts(in), ClusterFixture.committedOutput(out,
        GatedWordCount.REDUCES));
    String next = Await.value(START, "a leader", () -> cluster.leader().orElse(null));
    assertNotEquals(leader, next);
    // The new leader read the list (its own copy, or one it fetched from the third master).
    String nextLog = cluster.masters.get(next).log();
    assertTrue(nextLog.contains("split list " + holdersHash(cluster, next).substring(0, 12)
        + " of " + planned + " splits loaded"), () -> cluster.masters.get(next).tail(80));

    // No entry of the dead leader's log comes near the list's size.
    long largest = largestEntry(cluster.dir.resolve(leader).resolve("raft"), tmp.resolve("wal"));
    assertTrue(largest < 16 * 1024 && largest * 20 < listBytes, "largest entry " + largest
        + " bytes; the split list is " + listBytes + " bytes");
    System.out.printf("split list of %d splits: %d bytes; the largest entry of %s's log: %d"
        + " bytes%n", planned, listBytes, leader, largest);
  }

  private static long splitCount(long size, long splitSize) {
    long n = 1;
    long start = 0;
    while ((size - start) / (double) splitSize > 1.1) {
      n++;
      start += splitSize;
    }
    return n;
  }

  /** The split lists each master's store holds: master to the list's size. */
  private static Map<String, Long> splitLists(ClusterFixture cluster) throws IOException {
    Map<String, Long> held = new TreeMap<>();
    for (String m : cluster.masters.keySet()) {
      Path dir = cluster.dir.resolve(m).resolve("splits");
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".splits")).toList()) {
          held.put(m, Files.size(f));
        }
      }
    }
    return held;
  }

  /** The hash of the one split list in master {@code m}'s store. */
  private static String holdersHash(ClusterFixture cluster, String m) throws IOException {
    try (Stream<Path> files = Files.list(cluster.dir.resolve(m).resolve("splits"))) {
      String name = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".splits"))
          .findFirst().orElseThrow(() -> new AssertionError(m + " holds no split list"));
      return name.substring(0, name.length() - ".splits".length());
    }
  }

  /** The largest entry in a copy of a dead master's write-ahead log. */
  private static long largestEntry(Path raft, Path copy) throws IOException {
    try (Stream<Path> walk = Files.walk(raft)) {
      for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
        Path to = copy.resolve(raft.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    try (RaftLogStore log = RaftLogStore.open(copy)) {
      long largest = 0;
      List<Entry> entries = log.entries(log.firstIndex(), log.lastIndex() + 1);
      assertTrue(!entries.isEmpty(), "the dead leader's log is empty");
      for (Entry e : entries) {
        largest = Math.max(largest, e.data() == null ? 0 : e.data().length);
      }
      return largest;
    }
  }
}
