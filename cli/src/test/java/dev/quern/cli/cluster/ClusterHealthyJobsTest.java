package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a healthy cluster (three masters, two workers of two slots, one cluster for the class):
 * the inverted index equals one made here, no process calls a job finished before its output
 * is final, maps and reduces run at once on different workers, and with no failure each task
 * runs exactly once.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterHealthyJobsTest {
  private Path tmp;
  private ClusterFixture cluster;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws IOException {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2,
        ClusterFixture.NO_WORKER_DIES_TIMEOUT, "w1", "w2");
  }

  @Test
  void invertedIndexEqualsASequentialIndexAndNobodyCallsItDoneEarly(Seed seed) throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve("ii-in"), seed, 6, 3_000);
    Path out = tmp.resolve("ii-out");
    Map<String, String> expected = ClusterFixture.expectedIndex(in);
    Path jar = ClusterFixture.examplesJar(tmp.resolve("examples.jar"));

    // Watch every master: the first time any reports the job SUCCEEDED, the output must already
    // be committed and complete (early exit: nobody reports a job finished before its output).
    AtomicReference<Object> seenAtSuccess = new AtomicReference<>();
    Thread watcher = new Thread(() -> {
      long end = System.nanoTime() + JOB.toNanos();
      while (seenAtSuccess.get() == null && System.nanoTime() < end) {
        for (String m : cluster.masters.keySet()) {
          boolean done = cluster.get(cluster.http(m), "/api/v1/jobs")
              .map(j -> j.size() == 1 && j.get(0).path("state").asText().equals("SUCCEEDED"))
              .orElse(false);
          if (done) {
            try {
              seenAtSuccess.set(ClusterFixture.committedOutput(out, 2));
            } catch (Throwable t) {
              seenAtSuccess.set(new AssertionError("master " + m + " reported the job "
                  + "SUCCEEDED before its output was final", t));
            }
            return;
          }
        }
      }
    }, "success-watcher");
    watcher.setDaemon(true);
    watcher.start();

    TestProcess client = cluster.submit("client-ii", jar,
        "dev.quern.examples.invertedindex.InvertedIndex", in.toString(), out.toString());
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    // The client exited 0: the output is there, committed and whole, at this very moment.
    assertEquals(expected, ClusterFixture.committedOutput(out, 2));

    watcher.join(JOB.toMillis());
    Object seen = seenAtSuccess.get();
    if (seen instanceof AssertionError e) {
      throw e;
    }
    assertEquals(expected, seen, "what the output held when a master first said SUCCEEDED");
  }

  @Test
  void mapsAndReducesRunAtOnceOnDifferentWorkersAndEachTaskRunsOnce(Seed seed) throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve("par-in"), seed, 6, 1_000);
    Path out = tmp.resolve("par-out");
    Path gate = Files.createDirectories(tmp.resolve("par-gate"));
    Files.createFile(gate.resolve("hold-map"));
    Files.createFile(gate.resolve("hold-reduce"));
    Path jar = ClusterFixture.gatedJar(tmp.resolve("gated.jar"));
    TestProcess client = cluster.submit("client-par", jar, GatedWordCount.class.getName(),
        in.toString(), out.toString(), gate.toString());
    String job = cluster.awaitOnlyJobNamed("gated-wordcount");

    // Maps held at the gate: the leader's book shows map attempts running at once on both
    // workers, and the markers show they run in two worker processes.
    JsonNode maps = Await.value(JOB, "map attempts running at once on two workers",
        () -> running(cluster.tasks(job), "MAP").size() >= 2 ? cluster.tasks(job) : null);
    assertTrue(running(maps, "MAP").size() >= 2, maps::toString);
    Await.until(JOB, "map markers from two processes", () -> pids(gate, "map").size() >= 2);
    Files.delete(gate.resolve("hold-map"));

    JsonNode reduces = Await.value(JOB, "both reduce attempts running on two workers",
        () -> running(cluster.tasks(job), "REDUCE").size() == 2 ? cluster.tasks(job) : null);
    assertEquals(2, running(reduces, "REDUCE").size(), reduces::toString);
    Await.until(JOB, "reduce markers from two processes", () -> pids(gate, "reduce").size() == 2);
    // Progress is the leader's soft state, from the workers' reports: the leader's views show
    // both held reduces past their shuffle and merge (40%), and the job's reduce fraction too;
    // a follower, which hears no reports, shows the same, asked of the leader (LeaderProgress).
    String leader = Await.value(JOB, "the leader shows the held reduces' progress", () -> {
      Optional<String> l = cluster.leader();
      boolean shown = l.flatMap(m -> cluster.get(cluster.http(m), "/api/v1/jobs/" + job + "/tasks"))
          .map(t -> runningProgress(t, "REDUCE").size() == 2
              && runningProgress(t, "REDUCE").stream().allMatch(p -> p >= 0.4))
          .orElse(false)
          && l.flatMap(m -> cluster.get(cluster.http(m), "/api/v1/jobs/" + job))
              .map(j -> j.path("reduce").path("fraction").asDouble() >= 0.4).orElse(false);
      return shown ? l.get() : null;
    });
    for (String m : cluster.masters.keySet()) {
      if (!m.equals(leader)) {
        JsonNode tasks = Await.value(JOB, m + " shows both running reduces' progress", () ->
            cluster.get(cluster.http(m), "/api/v1/jobs/" + job + "/tasks")
            .filter(t -> runningProgress(t, "REDUCE").size() == 2
                && runningProgress(t, "REDUCE").stream().allMatch(p -> p >= 0.4)).orElse(null));
        assertEquals(2, runningProgress(tasks, "REDUCE").size(), tasks::toString);
        JsonNode doc = cluster.get(cluster.http(m), "/api/v1/jobs/" + job).orElseThrow();
        assertTrue(doc.path("reduce").path("fraction").asDouble() >= 0.4, doc::toString);
        assertTrue(doc.path("progressNote").isNull(), doc::toString);
      }
    }
    Files.delete(gate.resolve("hold-reduce"));

    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(in), ClusterFixture.committedOutput(out, 2));

    // No failure, so each task ran exactly once; the attempts overlapped on different workers.
    JsonNode tasks = cluster.tasks(job);
    int mapTasks = 0;
    for (JsonNode t : tasks) {
      assertEquals(1, t.path("attempts").size(), () -> "task ran more than once: " + t);
      assertEquals("SUCCEEDED", t.path("attempts").get(0).path("state").asText(), t::toString);
      mapTasks += t.path("kind").asText().equals("MAP") ? 1 : 0;
    }
    assertEquals(6, mapTasks, tasks::toString);
    assertTrue(overlapOnTwoWorkers(tasks, "MAP"), tasks::toString);
    assertTrue(overlapOnTwoWorkers(tasks, "REDUCE"), tasks::toString);
  }

  /** Workers that run an attempt of a {@code kind} task now, by the book. */
  private static Set<String> running(JsonNode tasks, String kind) {
    Set<String> workers = new HashSet<>();
    for (JsonNode t : tasks) {
      if (t.path("kind").asText().equals(kind)) {
        for (JsonNode a : t.path("attempts")) {
          if (a.path("state").asText().equals("RUNNING")) {
            workers.add(a.path("worker").asText());
          }
        }
      }
    }
    return workers;
  }

  /** The progress of the running attempts of {@code kind} tasks. */
  private static List<Double> runningProgress(JsonNode tasks, String kind) {
    List<Double> out = new ArrayList<>();
    for (JsonNode t : tasks) {
      if (t.path("kind").asText().equals(kind)) {
        for (JsonNode a : t.path("attempts")) {
          if (a.path("state").asText().equals("RUNNING")) {
            out.add(a.path("progress").asDouble());
          }
        }
      }
    }
    return out;
  }

  /** Two attempts of {@code kind} tasks whose run times overlap, on different workers. */
  private static boolean overlapOnTwoWorkers(JsonNode tasks, String kind) {
    List<JsonNode> attempts = new ArrayList<>();
    for (JsonNode t : tasks) {
      if (t.path("kind").asText().equals(kind)) {
        t.path("attempts").forEach(attempts::add);
      }
    }
    for (JsonNode a : attempts) {
      for (JsonNode b : attempts) {
        if (!a.path("worker").asText().equals(b.path("worker").asText())
            && a.path("startTime").asLong() < b.path("endTime").asLong()
            && b.path("startTime").asLong() < a.path("endTime").asLong()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The worker processes whose attempts of {@code kind} passed the gate's marker. */
  static Set<String> pids(Path gate, String kind) {
    Set<String> pids = new HashSet<>();
    try (Stream<Path> files = Files.list(gate)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("started-" + kind
          + "-")).toList()) {
        String pid = Files.readString(f).trim();
        if (!pid.isEmpty()) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return pids;
  }
}
