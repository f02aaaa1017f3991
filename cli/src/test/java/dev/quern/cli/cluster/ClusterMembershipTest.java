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
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masters with new ids join a running cluster and old ones leave, under running jobs (three
 * masters, two workers of two slots, one cluster for the class): a new master learns the others
 * from the log and they learn it (its Raft and HTTP address: the masters page, redirects, jars,
 * the workers' list of masters), and the group it is part of survives its leader's SIGKILL.
 * Each job's output is checked against a count made here and the commit rules.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(Seeds.class)
class ClusterMembershipTest {
  private Path tmp;
  private ClusterFixture cluster;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws IOException {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2, "w1", "w2");
  }

  /** Gates opened, so that a failed test's job does not hold the slots of the next one. */
  private final List<Path> gates = new ArrayList<>();

  /** Every master alive again, one leader, both workers registered with it. */
  @AfterEach
  void heal() throws IOException {
    for (Path g : gates) {
      Files.deleteIfExists(g.resolve("hold-map"));
      Files.deleteIfExists(g.resolve("hold-reduce"));
    }
    cluster.restartDeadMasters();
    cluster.awaitWorkers(2);
  }

  private String leader() {
    return Await.value(START, "a leader", () -> cluster.leader().orElse(null));
  }

  /** Waits until every running master's configuration has exactly {@code ids} as voters. */
  private void awaitVoters(java.util.Collection<String> ids) {
    List<String> want = List.copyOf(new TreeSet<>(ids));
    for (String m : cluster.masters.keySet()) {
      Await.until(START, m + " has voters " + want, () -> cluster.get(cluster.http(m),
          "/api/cluster/master").map(s -> sorted(s.path("voters")).equals(want)).orElse(false));
    }
  }

  @Test
  @Order(1)
  void aMasterWithANewIdJoinsAnOldOneLeavesAndTheNewGroupSurvivesItsLeadersDeath(Seed seed)
      throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "join", seed, 4, "map");
    gates.add(r.gate());
    TestProcess client = cluster.submit("client-join", r.jar(),
        GatedWordCount.class.getName(), r.in().toString(), r.out().toString(),
        r.gate().toString());
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 1);

    TestProcess m4 = cluster.joinMaster("m4", List.of());
    awaitVoters(List.of("m1", "m2", "m3", "m4"));
    String removed = cluster.removeMaster("m1");
    assertTrue(removed.contains("master m1: removed; voters m2 m3 m4"), removed);
    awaitVoters(List.of("m2", "m3", "m4"));

    // Every master lists m4 with its HTTP address, learned without a restart; and m4 lists the
    // founders it was not told of by m1, from the log. (The masters page asks each of them.)
    for (String m : cluster.masters.keySet()) {
      Await.until(START, m + "'s masters page shows m4 reachable at " + cluster.http("m4"),
          () -> cluster.get(cluster.http(m), "/api/v1/masters").map(p -> {
            List<String> ids = new ArrayList<>();
            boolean m4Seen = false;
            for (JsonNode e : p.path("masters")) {
              ids.add(e.path("id").asText());
              m4Seen |= e.path("id").asText().equals("m4") && e.path("reachable").asBoolean()
                  && e.path("http").asText().equals(cluster.http("m4"));
            }
            return m4Seen && sortedIds(ids).equals(List.of("m2", "m3", "m4"));
          }).orElse(false));
    }
    // A follower sends a client to the leader, whichever it is (m4 included).
    String leader = leader();
    JsonNode status = Await.value(START, "m4's /api/cluster", () -> cluster.get(
        cluster.http("m4"), "/api/cluster").orElse(null));
    assertEquals(leader, status.path("leaderId").asText(), status::toString);
    assertEquals(cluster.http(leader), status.path("leaderHttp").asText(), status::toString);

    Files.delete(r.gate().resolve("hold-map"));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
    assertTrue(m4.isAlive(), () -> m4.tail(60));

    // SIGKILL to the leader: the other two (m4 among them) elect one, and a job runs.
    String dead = leader();
    cluster.kill(dead);
    List<String> alive = cluster.masters.keySet().stream().filter(m -> !m.equals(dead)).toList();
    String next = Await.value(START, "a leader among " + alive, () -> cluster.leader(alive)
        .filter(l -> !l.equals(dead)).orElse(null));
    Await.until(START, "leader " + next + " lists both workers", () -> cluster.get(
        cluster.http(next), "/api/cluster/workers").map(d -> d.path("workers").size() == 2)
        .orElse(false));
    GatedRun second = GatedRun.prepare(tmp, "after-kill", seed, 3);
    TestProcess again = cluster.submit("client-after-kill", second.jar(),
        GatedWordCount.class.getName(), second.in().toString(), second.out().toString(),
        second.gate().toString());
    assertEquals(0, again.awaitExit(JOB), () -> again.tail(60));
    assertEquals(ClusterFixture.expectedCounts(second.in()), ClusterFixture.committedOutput(
        second.out(), GatedWordCount.REDUCES));
  }

  @Test
  @Order(2)
  void everyMasterIsReplacedByANewIdOneAtATimeUnderARunningJob(Seed seed) throws Exception {
    GatedRun r = GatedRun.prepare(tmp, "replace", seed, 6, "map", "reduce");
    gates.add(r.gate());
    java.util.Set<String> jobsBefore = cluster.jobIds();
    cluster.submit("client-replace", r.jar(), GatedWordCount.class.getName(),
        r.in().toString(), r.out().toString(), r.gate().toString());
    String job = cluster.awaitNewJob(jobsBefore);
    Await.until(JOB, "map attempts at the gate",
        () -> ClusterHealthyJobsTest.pids(r.gate(), "map").size() >= 1);
    List<String> old = List.copyOf(cluster.masters.keySet());
    // New ids that sort before the old ones and between them: no master's node id moves.
    List<String> fresh = List.of("a0", "b1", "c2");
    for (int i = 0; i < old.size(); i++) {
      cluster.joinMaster(fresh.get(i), List.of());
      cluster.removeMaster(old.get(i));
      awaitVoters(cluster.masters.keySet());
      cluster.awaitWorkers(2);
      if (i == 0) {
        // The maps finish while the other masters are replaced; the reduces wait at theirs.
        Files.delete(r.gate().resolve("hold-map"));
        Await.until(JOB, "reduce attempts at the gate",
            () -> ClusterHealthyJobsTest.pids(r.gate(), "reduce").size() >= 1);
      }
    }
    assertEquals(fresh, List.copyOf(cluster.masters.keySet()));
    Files.delete(r.gate().resolve("hold-reduce"));
    // The client knows only the masters that are gone (it was given their addresses; see
    // docs/OPERATIONS.md): the job's end is read from the new ones.
    Await.until(JOB, job + " succeeded, as the new masters say", () -> cluster.getAny(
        "/api/v1/jobs/" + job).map(j -> j.path("state").asText().equals("SUCCEEDED"))
        .orElse(false));
    // committedOutput checks exactly one _SUCCESS and nothing but parts beside it.
    assertEquals(ClusterFixture.expectedCounts(r.in()), ClusterFixture.committedOutput(r.out(),
        GatedWordCount.REDUCES));
  }

  private static List<String> sortedIds(List<String> ids) {
    return List.copyOf(new TreeSet<>(ids));
  }

  private static List<String> sorted(JsonNode array) {
    TreeSet<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
