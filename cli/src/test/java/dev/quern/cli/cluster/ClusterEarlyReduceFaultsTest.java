package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduce started early (slow start, here at 0 completed maps) through the faults of a cluster
 * of processes (three masters, two workers of two slots): a worker's SIGKILL after its maps ended
 * and before the reduce fetched their output, and the leader's SIGKILL while the reduce waits for
 * maps. Three maps and one reduce fill the four slots, the maps held at the gate, so the reduce
 * is running before any map ended. Each case checks the output against a count made here and the
 * commit rules, and that the reduce attempt that started early is the one whose output counts.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterEarlyReduceFaultsTest {
  private static final int MAPS = 3;
  /**
   * Longer than the suite's 2 s: a worker is held stopped (SIGSTOP) while another's maps end,
   * which on a loaded machine may take a few seconds, and must not be given up meanwhile.
   */
  private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(6);
  private static final String SLOWSTART = "-Dquern.reduce.slowstart.completed-maps=0";
  /**
   * Fetches of a dead worker's output go on failing for 1+2+4+8 s: past the worker timeout, so
   * the leader has withdrawn that output (and re-run its map) before the reduce gives up on it;
   * the defaults (0.5+1+2 s) would fail the reduce attempt instead on a loaded machine.
   */
  private static final List<String> PATIENT_FETCH = List.of(SLOWSTART,
      "-Dquern.reduce.shuffle.fetch-retries=4", "-Dquern.reduce.shuffle.retry-backoff-ms=1000");

  private Path tmp;
  private ClusterFixture cluster;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws IOException {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2,
        WORKER_TIMEOUT, "w1", "w2");
  }

  /** Every process running again and both workers registered with the leader. */
  @AfterEach
  void heal() throws IOException {
    for (String w : cluster.workers.keySet()) {
      if (!cluster.workers.get(w).isAlive()) {
        cluster.restartWorker(w, false);
      }
    }
    cluster.restartDeadMasters();
    cluster.awaitWorkers(2);
  }

  /** One attempt in the leader's book: its task's kind and index, its id, worker and state. */
  private record Attempt(String kind, int task, String id, String worker, String state) {}

  private static List<Attempt> attempts(JsonNode tasks) {
    List<Attempt> all = new ArrayList<>();
    for (JsonNode t : tasks) {
      for (JsonNode a : t.path("attempts")) {
        all.add(new Attempt(t.path("kind").asText(), t.path("index").asInt(),
            a.path("id").asText(), a.path("worker").asText(), a.path("state").asText()));
      }
    }
    return all;
  }

  private static List<Attempt> select(List<Attempt> all, String kind, String state) {
    return all.stream().filter(a -> a.kind().equals(kind) && a.state().equals(state)).toList();
  }

  /** The {@code started-map-*} marks in the gate: one per map attempt that reached it. */
  private static long mapsAtGate(Path gate) throws IOException {
    try (Stream<Path> files = Files.list(gate)) {
      return files.filter(f -> f.getFileName().toString().startsWith("started-map-")).count();
    }
  }

  /**
   * Submits a gated WordCount of {@link #MAPS} maps, held at the map gate, and waits until the
   * leader's book runs them all and one reduce on the fourth slot, every map at the gate; returns
   * the job's id and the tasks then.
   */
  private JsonNode submitAndAwaitEarlyReduce(String name, GatedRun r, List<String> options,
      String[] job, TestProcess[] client) {
    Set<String> before = cluster.jobIds();
    client[0] = cluster.submit("client-" + name, options, r.jar(),
        GatedWordCount.class.getName(), r.in().toString(), r.out().toString(),
        r.gate().toString());
    job[0] = cluster.awaitNewJob(before);
    JsonNode early = Await.value(JOB, "a reduce running while every map is held", () -> {
      JsonNode t = cluster.tasks(job[0]);
      List<Attempt> a = attempts(t);
      try {
        return select(a, "REDUCE", "RUNNING").size() == 1
            && select(a, "MAP", "RUNNING").size() == MAPS && mapsAtGate(r.gate()) == MAPS ? t
            : null;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertEquals(List.of(), select(attempts(early), "MAP", "SUCCEEDED"), early::toString);
    return early;
  }

  /** The output as counted here, the commit rules, and the early reduce's output counted. */
  private void assertDone(GatedRun r, TestProcess client, String job, Attempt early)
      throws IOException {
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    JsonNode tasks = cluster.tasks(job);
    List<Attempt> ofEarly = attempts(tasks).stream().filter(a -> a.kind().equals("REDUCE")
        && a.task() == early.task()).toList();
    assertEquals(List.of(new Attempt("REDUCE", early.task(), early.id(), early.worker(),
        "SUCCEEDED")), ofEarly, () -> "the early reduce's task: " + tasks);
  }

  @Test
  void mapOutputsLostBeforeTheEarlyReduceFetchedThemAreMadeAgainForIt(Seed seed)
      throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "lost", seed, MAPS, "map");
    String[] job = new String[1];
    TestProcess[] client = new TestProcess[1];
    JsonNode atGate = submitAndAwaitEarlyReduce("lost", r, PATIENT_FETCH, job, client);
    List<Attempt> held = attempts(atGate);
    Attempt early = select(held, "REDUCE", "RUNNING").get(0);
    // The reduce's worker holds one map too; the other worker (the victim) holds two.
    String keeper = early.worker();
    List<String> others = cluster.workers.keySet().stream().filter(w -> !w.equals(keeper))
        .toList();
    String victim = others.get(seed.random().nextInt(others.size()));
    List<Attempt> victimsMaps = select(held, "MAP", "RUNNING").stream()
        .filter(a -> a.worker().equals(victim)).toList();
    assertTrue(!victimsMaps.isEmpty(), () -> victim + " runs no map: " + atGate);

    // The keeper stopped, its reduce cannot fetch: the victim's maps end and report, and the
    // victim dies with their output before the reduce has read any of it.
    cluster.signal(keeper, true);
    try {
      Files.delete(r.gate().resolve("hold-map"));
      Await.until(JOB, victim + "'s maps done", () -> {
        List<Attempt> now = attempts(cluster.tasks(job[0]));
        return victimsMaps.stream().allMatch(m -> now.stream().anyMatch(a -> a.id().equals(m.id())
            && a.state().equals("SUCCEEDED")));
      });
      cluster.kill(victim);
    } finally {
      cluster.signal(keeper, false);
    }

    assertDone(r, client[0], job[0], early);
    // The leader withdrew the dead worker's outputs and ran those maps again on the keeper.
    List<Attempt> after = attempts(cluster.tasks(job[0]));
    for (Attempt m : victimsMaps) {
      List<Attempt> ofMap = after.stream().filter(a -> a.kind().equals("MAP")
          && a.task() == m.task()).toList();
      assertEquals(2, ofMap.size(), () -> "map " + m.task() + ": " + after);
      assertEquals("OUTPUT_LOST", ofMap.get(0).state(), () -> "map " + m.task() + ": " + after);
      assertEquals(keeper, ofMap.get(1).worker(), () -> "map " + m.task() + ": " + after);
      assertEquals("SUCCEEDED", ofMap.get(1).state(), () -> "map " + m.task() + ": " + after);
    }
  }

  @Test
  void aLeaderKilledWhileAnEarlyReduceWaitsForMapsLeavesItToTheNext(Seed seed)
      throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "takeover", seed, MAPS, "map");
    String[] job = new String[1];
    TestProcess[] client = new TestProcess[1];
    JsonNode atGate = submitAndAwaitEarlyReduce("takeover", r, List.of(SLOWSTART), job,
        client);
    Attempt early = select(attempts(atGate), "REDUCE", "RUNNING").get(0);
    String old = Await.value(START, "a leader", () -> cluster.leader().orElse(null));
    cluster.kill(old);

    // The next leader adopts the reduce its worker claims, and tells it of each map's output.
    // (On a loaded machine the leader may change again before the worker registers with its
    // scheduler: whichever master other than the dead one adopts it.)
    String next = cluster.awaitWorkers(2);
    assertNotEquals(old, next);
    Await.until(JOB, "a new leader adopting " + early.id(), () -> cluster.masters.entrySet()
        .stream().filter(m -> !m.getKey().equals(old)).anyMatch(m -> m.getValue().log()
            .lines().anyMatch(l -> l.contains("worker " + early.worker() + ": adopted ")
                && l.contains(early.id()))));
    Files.delete(r.gate().resolve("hold-map"));

    assertDone(r, client[0], job[0], early);
    // No process died but the leader: every map ran once.
    for (Attempt a : attempts(cluster.tasks(job[0]))) {
      if (a.kind().equals("MAP")) {
        assertEquals("SUCCEEDED", a.state(), a::toString);
      }
    }
    assertEquals(MAPS, mapsAtGate(r.gate()), "map attempts started");
  }
}
