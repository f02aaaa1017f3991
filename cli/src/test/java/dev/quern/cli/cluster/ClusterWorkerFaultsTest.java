package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers' faults, on one cluster for the class (three masters, two workers of two slots):
 * workers SIGKILLed at seeded points throughout a job and restarted (same id and data
 * directory, so the cluster keeps its capacity), a worker SIGSTOPped past its timeout, and a
 * worker restarted with an empty data directory while reduces fetch its map output. Each job's
 * output must equal a count made here and obey the commit rules.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterWorkerFaultsTest {
  private static final List<String> WORKERS = List.of("w1", "w2");
  private Path tmp;
  private ClusterFixture cluster;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws IOException {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2,
        WORKERS.toArray(String[]::new));
  }

  /** Both workers running and registered with the leader. */
  @AfterEach
  void heal() throws IOException {
    for (String w : WORKERS) {
      if (!cluster.workers.get(w).isAlive()) {
        cluster.restartWorker(w, false);
      }
    }
    cluster.awaitWorkers(2);
  }

  /** Submits, and returns the client once the masters list the job as {@code job[0]}. */
  private TestProcess submit(String name, GatedRun r, String[] job) {
    java.util.Set<String> before = cluster.jobIds();
    TestProcess client = cluster.submit(name, r.jar(), GatedWordCount.class.getName(),
        r.in().toString(), r.out().toString(), r.gate().toString());
    job[0] = cluster.awaitNewJob(before);
    return client;
  }

  private void assertOutput(GatedRun r) throws IOException {
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
  }

  /** How many of {@code job}'s map tasks are done, by any master's book (-1: none answers). */
  private int mapsDone(String job) {
    return cluster.getAny("/api/v1/jobs/" + job).map(j -> j.path("map").path("done").asInt())
        .orElse(-1);
  }

  @Test
  void workersKilledAtRandomThroughoutTheJobChangeNothing(Seed seed) throws Exception {
    SplittableRandom random = seed.random();
    int maps = 8;
    GatedRun r = GatedRun.prepare(tmp, "crash", seed, maps, "map", "reduce");
    String[] id = new String[1];
    TestProcess client = submit("client-crash", r, id);
    String job = id[0];
    List<String> killed = new ArrayList<>();

    // 1. While the first maps run (held at the gate).
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 1);
    crash(random, killed);
    Files.delete(r.gate().resolve("hold-map"));
    // 2. Once a seeded number of maps is done, before they all are.
    int at = 1 + random.nextInt(maps - 2);
    Await.until(JOB, at + " map(s) done", () -> mapsDone(job) >= at);
    crash(random, killed);
    // 3. While reduces run (held at the gate).
    Await.until(JOB, "a reduce attempt at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "reduce").size() >= 1);
    crash(random, killed);
    Files.delete(r.gate().resolve("hold-reduce"));

    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60) + "\nkilled " + killed);
    assertOutput(r);
  }

  /** SIGKILL of a seeded worker, then its restart under the same id and data directory. */
  private void crash(SplittableRandom random, List<String> killed) throws IOException {
    String w = WORKERS.get(random.nextInt(WORKERS.size()));
    killed.add(w);
    cluster.kill(w);
    cluster.restartWorker(w, false);
  }

  @Test
  void aWorkerStoppedPastItsTimeoutChangesNothing(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "sigstop", seed, 6, "map");
    String[] id = new String[1];
    TestProcess client = submit("client-sigstop", r, id);
    String job = id[0];
    Await.until(JOB, "map attempts at the gate on both workers",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 2);
    String w = WORKERS.get(seed.random().nextInt(WORKERS.size()));
    String leader = Await.value(START, "a leader", () -> cluster.leader().orElse(null));
    // Stopped for a few worker timeouts (2 s each in the suite's configuration, not the 30 s a
    // real cluster might use): until the leader has given it up and re-run its maps elsewhere.
    cluster.signal(w, true);
    try {
      Await.until(START, "leader " + leader + " drops " + w, () -> cluster.get(
          cluster.http(leader), "/api/cluster/workers").map(d -> {
            for (JsonNode x : d.path("workers")) {
              if (x.path("id").asText().equals(w)) {
                return false;
              }
            }
            return true;
          }).orElse(false));
      Files.delete(r.gate().resolve("hold-map"));
      Await.until(JOB, "every map done without " + w, () -> mapsDone(job) == 6);
    } finally {
      cluster.signal(w, false);
    }
    // Running again, its stale attempts pass the gate too: none of their output may count.
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertOutput(r);
    JsonNode tasks = cluster.tasks(job);
    boolean reRun = false;
    for (JsonNode t : tasks) {
      reRun |= t.path("attempts").size() > 1;
    }
    assertTrue(reRun, () -> "no task ran again after " + w + " stopped: " + tasks);
  }

  @Test
  void aWorkerRestartedEmptyMidShuffleHasItsMapsRunAgain(Seed seed) throws Exception {
    int maps = 6;
    GatedRun r = GatedRun.prepare(tmp, "wipe", seed, maps, "reduce");
    String[] id = new String[1];
    java.util.Map<String, Integer> logAtStart = new java.util.TreeMap<>();
    cluster.masters.forEach((m, p) -> logAtStart.put(m, p.log().length()));
    TestProcess client = submit("client-wipe", r, id);
    String job = id[0];
    Await.until(JOB, "every map done", () -> mapsDone(job) == maps);
    Await.until(JOB, "a reduce attempt at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "reduce").size() >= 1);
    // A worker whose map output the reduces still need, picked by the seed among those.
    JsonNode before = cluster.tasks(job);
    List<String> mappers = new ArrayList<>();
    for (JsonNode t : before) {
      for (JsonNode a : t.path("attempts")) {
        if (t.path("kind").asText().equals("MAP") && a.path("state").asText().equals("SUCCEEDED")
            && !mappers.contains(a.path("worker").asText())) {
          mappers.add(a.path("worker").asText());
        }
      }
    }
    String w = mappers.get(seed.random().nextInt(mappers.size()));
    int lost = 0;
    for (JsonNode t : before) {
      if (t.path("kind").asText().equals("MAP")
          && t.path("attempts").get(0).path("worker").asText().equals(w)) {
        lost++;
      }
    }
    cluster.kill(w);
    cluster.restartWorker(w, true);
    Files.delete(r.gate().resolve("hold-reduce"));

    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertOutput(r);
    // The maps whose output lived on the wiped worker ran again; any other map only if its own
    // worker was counted lost too (a loaded machine may stall one past the suite's 2 s worker
    // timeout, and the design then runs its maps again).
    JsonNode after = cluster.tasks(job);
    int reRun = 0;
    for (JsonNode t : after) {
      if (!t.path("kind").asText().equals("MAP")) {
        continue;
      }
      String first = t.path("attempts").get(0).path("worker").asText();
      boolean again = t.path("attempts").size() > 1;
      if (first.equals(w)) {
        assertTrue(again, () -> "map on the wiped " + w + " not run again: " + t);
        reRun++;
      } else if (again) {
        assertTrue(countedLost(first, logAtStart), () -> "map run again though its worker " + first
            + " was never counted lost: " + t);
      }
    }
    assertEquals(lost, reRun, after::toString);
  }

  /**
   * Whether a master's log, past {@code since} (its length then), says it counted worker {@code
   * w} lost (no heartbeat in time).
   */
  private boolean countedLost(String w, java.util.Map<String, Integer> since) {
    return cluster.masters.entrySet().stream().anyMatch(m -> m.getValue().log()
        .substring(Math.min(since.getOrDefault(m.getKey(), 0), m.getValue().log().length()))
        .contains("worker " + w + " is dead: no heartbeat"));
  }
}
