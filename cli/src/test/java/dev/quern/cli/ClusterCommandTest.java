package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.PromText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern cluster start}, {@code status} and {@code stop} end to end, in this JVM; the
 * processes {@code start} launches are real JVMs (which outlive the command by design, so the
 * test kills whatever the cluster's pid file names when it ends, whatever happened).
 */
@Timeout(300)
class ClusterCommandTest {
  @TempDir Path tmp;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    Path processes = tmp.resolve("cluster").resolve(ClusterDir.PROCESSES);
    if (Files.exists(processes)) {
      new ClusterDir(processes.getParent()).read().forEach(p -> pids.add(p.pid()));
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
      });
    }
  }

  @Test
  void startsListsAndStopsACluster() throws IOException {
    Path dir = tmp.resolve("cluster");
    Path conf = ClusterProcessesTest.fastConfig(tmp);
    List<String> start = new ArrayList<>(List.of("cluster", "start", "--masters", "3",
        "--workers", "2", "--dir", dir.toString(), "--config", conf.toString(), "--timeout", "150"));
    for (String o : ClusterProcessesTest.JVM) {
      start.add("--java-option=" + o);
    }
    CliRun started = CliRun.of(start.toArray(String[]::new));
    assertEquals(0, started.exitCode(), started::toString);
    List<String> lines = started.out().lines().toList();
    String address = lines.get(lines.size() - 1);
    assertTrue(Pattern.matches("quern://127\\.0\\.0\\.1:\\d+(,127\\.0\\.0\\.1:\\d+){2}", address),
        started::toString);
    assertEquals(address, Files.readString(dir.resolve("address")).trim());

    CliRun status = CliRun.of("cluster", "status", "--dir", dir.toString(), "--json");
    assertEquals(0, status.exitCode(), status::toString);
    JsonNode doc = ClusterHttpClient.JSON.readTree(status.out());
    assertEquals(address, doc.path("address").asText());
    Set<String> ids = new TreeSet<>();
    Set<String> leaders = new TreeSet<>();
    Set<Long> terms = new TreeSet<>();
    Set<String> httpAddresses = new TreeSet<>();
    List<String> workerMetrics = new ArrayList<>();
    int leading = 0;
    for (JsonNode p : doc.path("processes")) {
      ids.add(p.path("kind").asText() + " " + p.path("id").asText());
      pids.add(p.path("pid").asLong());
      assertTrue(p.path("alive").asBoolean(), p::toString);
      assertTrue(ProcessHandle.of(p.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false));
      assertTrue(Pattern.matches("127\\.0\\.0\\.1:\\d+", p.path("address").asText()), p::toString);
      if (p.path("kind").asText().equals("master")) {
        httpAddresses.add(p.path("http").asText());
        leaders.add(p.path("leader").asText());
        terms.add(p.path("term").asLong());
        leading += p.path("role").asText().equals("LEADER") ? 1 : 0;
      } else {
        // A worker's HTTP address is its shuffle server's, which serves its metrics.
        assertTrue(Pattern.matches("127\\.0\\.0\\.1:\\d+", p.path("http").asText()), p::toString);
        assertEquals("http://" + p.path("http").asText() + "/metrics", p.path("metrics").asText());
        workerMetrics.add(p.path("metrics").asText());
      }
    }
    assertEquals(Set.of("master m1", "master m2", "master m3", "worker w1", "worker w2"), ids);
    assertEquals(Set.of(address.substring("quern://".length()).split(",")), httpAddresses);
    // Right after start the group is settled: one leader everyone names, one term.
    assertEquals(1, leading, status::toString);
    assertEquals(1, leaders.size(), status::toString);
    assertEquals(1, terms.size(), status::toString);
    assertEquals(2, workerMetrics.size(), status::toString);
    for (String url : workerMetrics) {
      PromText m = PromText.parse(get(url));
      assertEquals("counter", m.type("quern_shuffle_served_bytes_total"), url);
      assertEquals(0, m.value("quern_worker_attempts_running", java.util.Map.of("kind", "map")), url);
      assertTrue(m.value("jvm_memory_used_bytes", java.util.Map.of("area", "heap")) > 0, url);
    }

    CliRun table = CliRun.of("cluster", "status", "--dir", dir.toString());
    assertEquals(0, table.exitCode(), table::toString);
    assertEquals(1, table.out().lines().filter(l -> l.matches("master\\s+m\\d\\s+\\d+\\s+yes\\s.*LEADER.*")).count(),
        table::toString);

    CliRun again = CliRun.of("cluster", "start", "--dir", dir.toString());
    assertEquals(1, again.exitCode(), again::toString);
    assertTrue(again.err().contains("a cluster already runs in " + dir), again::toString);

    CliRun stop = CliRun.of("cluster", "stop", "--dir", dir.toString());
    assertEquals(0, stop.exitCode(), stop::toString);
    assertTrue(stop.out().startsWith("Stopped 5 process(es)"), stop::toString);
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "pid " + pid + " still runs after stop");
    }
    CliRun after = CliRun.of("cluster", "status", "--dir", dir.toString(), "--json");
    for (JsonNode p : ClusterHttpClient.JSON.readTree(after.out()).path("processes")) {
      assertFalse(p.path("alive").asBoolean(), p::toString);
    }
    // Every master ended on SIGTERM, not SIGKILL: its shutdown hook ran (the log has no kill).
    assertFalse(stop.out().contains("were killed"), stop::toString);
  }

  /** {@code --secure}: credentials made once under DIR/security and handed to every process. */
  @Test
  void aSecureStartMakesCredentialsOnceAndGivesThemToEveryProcess() throws IOException {
    Path dir = tmp.resolve("cluster");
    List<String> start = new ArrayList<>(List.of("cluster", "start", "--secure", "--masters", "1",
        "--workers", "1", "--dir", dir.toString(), "--config",
        ClusterProcessesTest.fastConfig(tmp).toString(), "--timeout", "150"));
    for (String o : ClusterProcessesTest.JVM) {
      start.add("--java-option=" + o);
    }
    CliRun started = CliRun.of(start.toArray(String[]::new));
    assertEquals(0, started.exitCode(), started::toString);
    Path security = dir.resolve("security").toAbsolutePath();
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(security)));
    String token = Files.readString(security.resolve(
        dev.quern.worker.security.ClusterCredentials.CLIENT_TOKEN));
    List<ClusterDir.Proc> procs = new ClusterDir(dir).read();
    assertEquals(2, procs.size(), procs::toString);
    for (ClusterDir.Proc p : procs) {
      pids.add(p.pid());
      List<String> args = List.of(Files.readString(Path.of("/proc", Long.toString(p.pid()),
          "cmdline")).split("\0"));
      int i = args.indexOf("--security");
      assertTrue(i >= 0 && args.get(i + 1).equals(security.toString()), args::toString);
    }
    CliRun stop = CliRun.of("cluster", "stop", "--dir", dir.toString());
    assertEquals(0, stop.exitCode(), stop::toString);
    started = CliRun.of(start.toArray(String[]::new));
    assertEquals(0, started.exitCode(), started::toString);
    new ClusterDir(dir).read().forEach(p -> pids.add(p.pid()));
    assertEquals(token, Files.readString(security.resolve(
        dev.quern.worker.security.ClusterCredentials.CLIENT_TOKEN)), "kept, not made again");
    assertEquals(0, CliRun.of("cluster", "stop", "--dir", dir.toString()).exitCode());
  }

  @Test
  void aStartThatCannotFinishNamesTheProcessAndItsLogAndLeavesNothingRunning() throws IOException {
    Path dir = tmp.resolve("cluster");
    // A master refuses this file's Raft timing: it exits at once.
    Path bad = tmp.resolve("bad.conf");
    Files.writeString(bad, "quern.master.election-ticks = 1\n");
    CliRun run = CliRun.of("cluster", "start", "--masters", "1", "--workers", "0", "--dir",
        dir.toString(), "--config", bad.toString(), "--timeout", "150",
        "--java-option=-XX:TieredStopAtLevel=1");
    assertEquals(1, run.exitCode(), run::toString);
    assertTrue(run.err().contains("quern: master m1 (pid "), run::toString);
    assertTrue(run.err().contains("exited with status 2 before the cluster was up; its log: "
        + dir.resolve("logs").resolve("m1.log")), run::toString);
    assertTrue(run.err().contains("--election-ticks (1) must be greater than --heartbeat-ticks (1)"),
        "the log's tail: " + run);
    for (ClusterDir.Proc p : new ClusterDir(dir).read()) {
      assertFalse(p.alive(), p::toString);
    }
    assertFalse(Files.exists(dir.resolve("address")));
  }

  /** The body of a 200 answer to {@code GET url}. */
  private static String get(String url) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
      return r.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
