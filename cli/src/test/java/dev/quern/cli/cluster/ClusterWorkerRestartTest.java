package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker SIGKILLed and restarted under its id before the leader's worker timeout runs out
 * (here 10 minutes, so the leader never counts it dead): its new life heartbeats at once, so
 * only the change of incarnation tells the leader that the attempts of its last life are gone.
 * The job must finish long before the task timeout (10 minutes too) would give them up.
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterWorkerRestartTest {
  /** Far below the worker and task timeouts; ample for this job on a loaded machine. */
  private static final Duration FINISH = Duration.ofSeconds(150);

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @Test
  void aWorkerRestartedBeforeItsTimeoutHasItsAttemptsRunAgain(@TempDir Path tmp, Seed seed)
      throws Exception {
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()),
        2, Duration.ofMinutes(10), "w1", "w2");
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 6, 1_000);
    Path out = tmp.resolve("out");
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Files.createFile(gate.resolve("hold-map"));
    TestProcess client = cluster.submit("client", ClusterFixture.gatedJar(tmp.resolve("g.jar")),
        GatedWordCount.class.getName(), in.toString(), out.toString(), gate.toString());
    Await.until(JOB, "map attempts at the gate on both workers",
        () -> ClusterHealthyJobsTest.pids(gate, "map").size() >= 2);
    String w = List.of("w1", "w2").get(seed.random().nextInt(2));
    cluster.kill(w);
    cluster.restartWorker(w, false);
    Files.delete(gate.resolve("hold-map"));

    assertEquals(0, client.awaitExit(FINISH), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(in), ClusterFixture.committedOutput(out,
        GatedWordCount.REDUCES));
    String job = cluster.getAny("/api/v1/jobs").orElseThrow().get(0).path("id").asText();
    boolean reRun = false;
    for (JsonNode t : cluster.tasks(job)) {
      reRun |= t.path("kind").asText().equals("MAP") && t.path("attempts").size() > 1;
    }
    assertTrue(reRun, "no map ran again after " + w + "'s restart");
  }
}
