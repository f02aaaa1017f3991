package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 13 of the process-kill suite: a master minority cut off mid-job. Each master runs alone in
 * a network namespace of its own ({@link Netns}: veth pairs on a bridge, a private /24 chosen per
 * run), the workers and the client in the root namespace on the bridge. While the job's maps wait
 * at the gate, the leader's link goes down: the two others elect a leader in a higher term, the
 * workers follow it, and the job finishes there with the right output. Then the link comes back:
 * the old leader steps down into the newer term, no worker obeys it, and whatever it still sent
 * in its old term is refused; the output stays as committed.
 */
@Timeout(900)
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
class ClusterPartitionTest {

  @Test
  void aLeaderCutOffMidJobIsReplacedAndItsOrdersAreRefused(Seed seed, TestProcesses procs,
      @TempDir Path tmp) throws Exception {
    Netns net = Netns.create(3);
    try {
      run(seed, procs, tmp, net);
    } finally {
      procs.close(); // processes first (by pid), then the network they were in
      net.close();
    }
  }

  private static void run(Seed seed, TestProcesses procs, Path tmp, Netns net) throws Exception {
    long t0 = System.nanoTime();
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"), procs, 2,
        ClusterFixture.WORKER_TIMEOUT, Placement.mastersApart(net), "w1", "w2");
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 4, 1_000);
    Path out = tmp.resolve("out");
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Files.createFile(gate.resolve("hold-map"));
    TestProcess client = cluster.submit("client", ClusterFixture.gatedJar(tmp.resolve("job.jar")),
        GatedWordCount.class.getName(), in.toString(), out.toString(), gate.toString());
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(gate, "map").size() >= 1);

    String old = Await.value(START, "a leader", () -> cluster.leader().orElse(null));
    phase("cluster up, job at the gate", t0);
    long oldTerm = term(cluster, old);
    List<String> others = cluster.masters.keySet().stream().filter(m -> !m.equals(old)).toList();
    int host = Integer.parseInt(old.substring(1));
    net.cut(host);
    long cut = System.nanoTime();
    // Taken once the link is cut: before, a worker whose leader timeout fired under load may
    // register with the old leader again, legitimately, while the cut is being made.
    Map<String, Integer> logAtCut = new TreeMap<>();
    cluster.workers.forEach((id, w) -> logAtCut.put(id, w.log().length()));
    boolean healed = false;
    try {
      // The majority elects one of its own in a higher term, and both workers follow it. (On a
      // loaded machine the majority may elect more than once: whoever leads it with both.)
      String next = Await.value(START, "a new leader among " + others + " with both workers",
          () -> cluster.leader(others).filter(l -> !l.equals(old)).filter(l -> cluster.get(
              cluster.http(l), "/api/cluster/workers").map(w -> w.path("workers").size() == 2)
              .orElse(false)).orElse(null));
      long nextTerm = term(cluster, next);
      phase("cut " + old + " (term " + oldTerm + "); " + next + " leads term " + nextTerm, cut);
      assertTrue(nextTerm > oldTerm, () -> next + " leads in term " + nextTerm + ", " + old
          + " led in " + oldTerm);
      // The old leader is unreachable: a cut, not a dead process.
      assertTrue(cluster.masters.get(old).isAlive(), old + " died");
      assertTrue(cluster.get(cluster.http(old), "/api/cluster").isEmpty(),
          () -> old + " still answers over its cut link");

      Files.delete(gate.resolve("hold-map"));
      assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
      phase("job done", cut);
      Map<String, String> expected = ClusterFixture.expectedCounts(in);
      assertEquals(expected, ClusterFixture.committedOutput(out, GatedWordCount.REDUCES));
      String id = Await.value(JOB, "the job listed", () -> cluster.getAny(others, "/api/v1/jobs")
          .filter(j -> j.size() == 1).map(j -> j.get(0).path("id").asText()).orElse(null));
      assertEquals("SUCCEEDED", cluster.getAny(others, "/api/v1/jobs/" + id).orElseThrow()
          .path("state").asText());

      net.heal(host);
      healed = true;
      long heal = System.nanoTime();
      // Back on the network, the old leader learns its term is over and follows another.
      Await.until(START, old + " follows in a newer term", () -> cluster.get(cluster.http(old),
          "/api/cluster").map(s -> !s.path("role").asText().equals("LEADER")
              && s.path("term").asLong() >= nextTerm && !s.path("leaderId").asText().isEmpty()
              && !s.path("leaderId").asText().equals(old)).orElse(false));
      // Its copy of the book catches up: the job it saw held at the gate ended there too.
      Await.until(START, old + " knows the job SUCCEEDED", () -> cluster.get(cluster.http(old),
          "/api/v1/jobs/" + id).map(j -> j.path("state").asText().equals("SUCCEEDED"))
          .orElse(false));
      String agreed = Await.value(START, "one leader all three agree on",
          () -> cluster.leader().orElse(null));
      phase("healed; " + old + " follows " + agreed, heal);
      // Nothing the old leader did after the cut reached the output.
      assertEquals(expected, ClusterFixture.committedOutput(out, GatedWordCount.REDUCES));
      assertFalse(Files.exists(out.resolve("_temporary")));
    } finally {
      if (!healed) {
        net.heal(host);
      }
    }

    // From the cut on, no worker obeyed the old leader: whatever it still sent in its old term
    // (queued while it was cut off, delivered once the link came back) was refused. Whether it
    // sent anything depends on how soon it heard of the new term, so refusals may or may not
    // appear; each one that names the old leader must name its old term.
    for (var w : cluster.workers.entrySet()) {
      String after = w.getValue().log().substring(logAtCut.get(w.getKey()));
      System.out.printf("ClusterPartitionTest: %s refused %d message(s) of %s%n", w.getKey(),
          after.lines().filter(l -> ClusterFixture.REFUSED.matcher(l).find()
              && l.contains(" of " + old + " ")).count(), old);
      assertFalse(after.contains("registered with leader " + old + " (term " + oldTerm + ")"),
          () -> w.getKey() + " obeyed deposed " + old + " after the cut:\n" + after);
      after.lines().filter(l -> ClusterFixture.REFUSED.matcher(l).find()
          && l.contains(" of " + old + " ")).forEach(l -> assertTrue(
              l.contains(" in term " + oldTerm + " "), () -> "refusal of another term: " + l));
    }
  }

  /** How long a phase took, for the log of the run (a bound, not an assertion). */
  private static void phase(String what, long since) {
    System.out.printf("ClusterPartitionTest: %s after %.1f s%n", what,
        (System.nanoTime() - since) / 1e9);
  }

  private static long term(ClusterFixture cluster, String master) {
    JsonNode s = Await.value(START, master + "'s status",
        () -> cluster.get(cluster.http(master), "/api/cluster").orElse(null));
    return s.path("term").asLong();
  }
}
