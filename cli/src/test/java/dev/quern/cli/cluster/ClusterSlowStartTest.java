package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reduce slow start on a cluster of processes (three masters, two workers of two slots): with
 * {@code quern.reduce.slowstart.completed-maps=0} a reduce starts while every map is held at a
 * gate, so it starts with no map output at all and learns of each one from the leader's
 * {@code MapOutputsChanged} messages as the maps finish; the job's output equals a count made
 * here and no reduce had to run twice.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterSlowStartTest {
  private static final String SLOWSTART = "quern.reduce.slowstart.completed-maps";

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @Test
  void aReduceStartedBeforeAnyMapFinishedGetsEveryOutputOverTheWire(@TempDir Path tmp, Seed seed)
      throws Exception {
    TestProcesses p = procs.open(getClass());
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"), p, 2,
        ClusterFixture.NO_WORKER_DIES_TIMEOUT, "w1", "w2");
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 3, 2_000);
    Path out = tmp.resolve("out");
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Files.createFile(gate.resolve("hold-map"));
    Path jar = ClusterFixture.gatedJar(tmp.resolve("gated.jar"));
    TestProcess client = p.start("client", new ProcessBuilder(ClusterFixture.quern("submit",
        "--master", cluster.address(), "-D" + SLOWSTART + "=0", jar.toString(),
        GatedWordCount.class.getName(), in.toString(), out.toString(), gate.toString())));
    String job = cluster.awaitOnlyJobNamed("gated-wordcount");

    // Three maps hold three of the four slots; a reduce takes the fourth before any map is done.
    JsonNode early = Await.value(JOB, "a reduce running while every map is held",
        () -> {
          JsonNode t = cluster.tasks(job);
          return count(t, "REDUCE", "RUNNING") >= 1 && count(t, "MAP", "RUNNING") == 3 ? t
              : null;
        });
    assertEquals(0, count(early, "MAP", "SUCCEEDED"), early::toString);
    Files.delete(gate.resolve("hold-map"));

    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(in), ClusterFixture.committedOutput(out,
        GatedWordCount.REDUCES));
    // No failure: the reduce that started early is the one that finished.
    JsonNode tasks = cluster.tasks(job);
    for (JsonNode t : tasks) {
      assertEquals(1, t.path("attempts").size(), () -> "task ran more than once: " + t);
      assertEquals("SUCCEEDED", t.path("attempts").get(0).path("state").asText(), t::toString);
    }
    assertTrue(count(tasks, "REDUCE", "SUCCEEDED") == GatedWordCount.REDUCES, tasks::toString);
  }

  /** Attempts of {@code kind} tasks in {@code state}, by the leader's book. */
  private static int count(JsonNode tasks, String kind, String state) {
    int n = 0;
    for (JsonNode t : tasks) {
      if (t.path("kind").asText().equals(kind)) {
        for (JsonNode a : t.path("attempts")) {
          n += a.path("state").asText().equals(state) ? 1 : 0;
        }
      }
    }
    return n;
  }
}
