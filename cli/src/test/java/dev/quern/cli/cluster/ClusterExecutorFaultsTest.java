package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
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
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's task cannot take its worker down (one worker, executor JVMs, the default): a mapper
 * that calls System.exit(3), one that runs out of its executor's heap, one that never returns.
 * Each job fails after its two attempts with the reason in the client's output, in
 * {@code quern status} and in the API; each attempt failed with it; the worker lived on and
 * started a new executor for the retry; and the same worker then runs a word count (in an
 * executor, not in its own JVM) whose output equals a count made here. A worker killed with
 * SIGKILL takes its executors with it, and its job finishes once it is back.
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterExecutorFaultsTest {
  private static final Pattern STARTED =
      Pattern.compile("started executor JVM (\\d+) for job (job-\\d+)");

  private Path tmp;
  private ClusterFixture cluster;
  private Path faultyJar;
  private Path gatedJar;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws Exception {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2, "w1");
    faultyJar = ClusterFixture.jarOfClass(tmp.resolve("faulty.jar"), FaultyJob.class);
    gatedJar = ClusterFixture.gatedJar(tmp.resolve("gated.jar"));
  }

  @Test
  void aMapperCallingSystemExitFailsOnlyItsAttempts(Seed seed) throws Exception {
    failsWith("exit", seed, "exited with code 3", "the task called System.exit");
  }

  @Test
  void aMapperRunningOutOfMemoryFailsOnlyItsAttempts(Seed seed) throws Exception {
    failsWith("hog", seed, "ran out of memory (java.lang.OutOfMemoryError: Java heap space",
        "heap " + FaultyJob.HEAP);
  }

  @Test
  void aMapperThatNeverReturnsTimesOutAndFailsOnlyItsAttempts(Seed seed) throws Exception {
    failsWith("spin", seed, "attempt made no progress for",
        "quern.task.timeout = " + FaultyJob.TIMEOUT_MS);
  }

  private void failsWith(String mode, Seed seed, String reason, String detail) throws Exception {
    Set<String> before = cluster.jobIds();
    Path in = ClusterFixture.corpus(tmp.resolve(mode + "-in"), seed, 1, 50);
    TestProcess client = cluster.submit("client-" + mode, faultyJar, FaultyJob.class.getName(),
        in.toString(), tmp.resolve(mode + "-out").toString(), mode);
    assertNotEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    String job = cluster.awaitNewJob(before);
    // The client, the API and quern status each say why.
    assertTrue(client.log().contains(reason) && client.log().contains(detail), client::log);
    JsonNode doc = cluster.awaitJob(job, "FAILED", d -> d.path("state").asText().equals("FAILED"));
    String failure = doc.path("failure").asText();
    assertTrue(failure.contains(reason) && failure.contains(detail), failure);
    TestProcess status = cluster.procs.start("status-" + mode, new ProcessBuilder(
        ClusterFixture.quern("status", job, "--master", cluster.address())));
    status.awaitExit(JOB);
    assertTrue(status.log().contains("failure") && status.log().contains(reason), status::log);
    // Both attempts of the map ran and failed for that reason: retried per the retry rules.
    JsonNode attempts = null;
    for (JsonNode t : cluster.tasks(job)) {
      if (t.path("kind").asText().equals("MAP")) {
        attempts = t.path("attempts");
      }
    }
    assertEquals(2, attempts.size(), String.valueOf(attempts));
    for (JsonNode a : attempts) {
      assertEquals("FAILED", a.path("state").asText(), a::toString);
      assertTrue(a.toString().contains(reason), a::toString);
    }
    // The worker lived through it, and its retry ran in a new executor (spin: the first one
    // was ended once the attempt ignored its kill).
    TestProcess worker = cluster.workers.get("w1");
    assertTrue(worker.isAlive(), () -> worker.tail(60));
    assertEquals(2, executorsOf(worker, job).size(), () -> worker.tail(60));
    healthyWordCountOnTheSameWorker(mode, seed, worker);
  }

  private static List<Long> executorsOf(TestProcess worker, String job) {
    return worker.log().lines().map(STARTED::matcher).filter(Matcher::find)
        .filter(m -> m.group(2).equals(job)).map(m -> Long.parseLong(m.group(1))).toList();
  }

  private void healthyWordCountOnTheSameWorker(String mode, Seed seed, TestProcess worker)
      throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve(mode + "-wc-in"), seed, 3, 400);
    Path out = tmp.resolve(mode + "-wc-out");
    Path gate = Files.createDirectories(tmp.resolve(mode + "-wc-gate")); // no hold: open
    TestProcess client = cluster.submit("client-" + mode + "-wc", gatedJar,
        GatedWordCount.class.getName(), in.toString(), out.toString(), gate.toString());
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(in),
        ClusterFixture.committedOutput(out, GatedWordCount.REDUCES));
    // Its tasks ran in an executor JVM of the worker, not in the worker's own JVM.
    Set<Long> pids = taskPids(gate);
    assertTrue(!pids.isEmpty() && !pids.contains(worker.pid()), pids::toString);
  }

  /** The pids in the gate's markers (one being written is skipped). */
  private static Set<Long> taskPids(Path gate) throws IOException {
    Set<Long> pids = new java.util.HashSet<>();
    try (Stream<Path> files = Files.list(gate)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("started-"))
          .toList()) {
        try {
          pids.add(Long.parseLong(Files.readString(f).trim()));
        } catch (NumberFormatException e) {
          // not written whole yet
        }
      }
    }
    return pids;
  }

  @Test
  void aWorkerKilledWithSigkillTakesItsExecutorsWithIt(Seed seed) throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve("kill-in"), seed, 4, 300);
    Path out = tmp.resolve("kill-out");
    Path gate = Files.createDirectories(tmp.resolve("kill-gate"));
    Files.createFile(gate.resolve("hold-map"));
    TestProcess client = cluster.submit("client-kill", gatedJar, GatedWordCount.class.getName(),
        in.toString(), out.toString(), gate.toString());
    Set<Long> executors = Await.value(JOB, "map attempts at the gate", () -> {
      try {
        Set<Long> p = taskPids(gate);
        return p.isEmpty() ? null : p;
      } catch (IOException e) {
        return null;
      }
    });
    TestProcess worker = cluster.workers.get("w1");
    assertTrue(!executors.contains(worker.pid()), executors::toString);
    // SIGKILL to the worker alone (not its process tree): its executors must see it go.
    ProcessHandle.of(worker.pid()).ifPresent(ProcessHandle::destroyForcibly);
    Await.until(ClusterFixture.START, "executors " + executors + " end with their worker",
        () -> executors.stream().noneMatch(p -> ProcessHandle.of(p)
            .map(ProcessHandle::isAlive).orElse(false)));
    cluster.restartWorker("w1", false);
    Files.delete(gate.resolve("hold-map"));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(ClusterFixture.expectedCounts(in),
        ClusterFixture.committedOutput(out, GatedWordCount.REDUCES));
  }
}
