package dev.quern.cli;

import static dev.quern.cli.ClusterProcessesTest.MASTER_READY;
import static dev.quern.cli.ClusterProcessesTest.WORKER_READY;
import static dev.quern.cli.ClusterProcessesTest.quern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.testkit.Await;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
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
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on a cluster of real processes: three masters that keep an ended job in the
 * replicated book for one second, one worker. A WordCount runs; the job leaves every master's
 * book ({@code quern_book_jobs} on {@code /metrics} drops to 0), and every master, the leader and
 * the followers, still serves it from its own history ({@code DATA/history}): the API, {@code
 * quern status}, {@code wait} and {@code list}; so does a follower killed with SIGKILL and
 * started again, whose book then comes from a snapshot that no longer holds the job.
 */
@Timeout(900)
@ExtendWith(TestProcesses.Extension.class)
class ClusterRetentionTest {
  // Generous: on a shared two-core machine a master JVM has been seen to take over 2 min to start.
  private static final Duration START = Duration.ofSeconds(300);
  private static final Duration JOB = Duration.ofSeconds(240);
  private static final String WORDCOUNT = "dev.quern.examples.wordcount.WordCount";
  private static final String ID = "job-0001";

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void printConfigShowsTheRetentionKeysWithTheirDefaultsAndFlags() {
    CliRun run = CliRun.of("master", "--id", "m1", "--data", tmp.resolve("m1").toString(),
        "--peers", "m1=127.0.0.1:7101", "--retention-max-age", "90s", "--print-config");
    assertEquals(0, run.exitCode(), run::toString);
    Config c = ConfigFactory.parseString(run.out());
    assertEquals(Duration.ofSeconds(90), c.getDuration("quern.master.retention.max-age"));
    assertEquals(1000, c.getInt("quern.master.retention.max-jobs"), "the default");
    CliRun bad = CliRun.of("master", "--id", "m1", "--data", tmp.resolve("m1").toString(),
        "--peers", "m1=127.0.0.1:7101", "--retention-max-jobs", "-1");
    assertEquals(2, bad.exitCode(), bad::toString);
    assertTrue(bad.err().contains("--retention-max-jobs"), bad::toString);
  }

  @Test
  void aRetiredJobLeavesTheBookAndEveryMasterStillServesItFromHistory(TestProcesses procs)
      throws Exception {
    Path conf = tmp.resolve("retention.conf");
    // Snapshots every few entries, so a restarted master restores a book without the job.
    Files.writeString(conf, """
        quern.master { tick = 50ms, election-ticks = 10, worker-timeout = 2s,
          hello-interval = 200ms, snapshot-every = 4, retention.max-age = 1s }
        quern.worker { heartbeat-interval = 200ms, leader-timeout = 1s }
        """);
    int[] ports = FreePorts.choose(3);
    String peers = "m1=127.0.0.1:" + ports[0] + ",m2=127.0.0.1:" + ports[1] + ",m3=127.0.0.1:"
        + ports[2];
    Map<String, List<String>> masterArgs = new TreeMap<>();
    Map<String, TestProcess> masters = new TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      String id = "m" + i;
      masterArgs.put(id, quern("master", "--config", conf.toString(), "--id", id, "--data",
          tmp.resolve(id).toString(), "--peers", peers, "--http", "127.0.0.1:0"));
      masters.put(id, procs.start(id, new ProcessBuilder(masterArgs.get(id))));
    }
    Map<String, String> httpOf = new TreeMap<>();
    for (Map.Entry<String, TestProcess> m : masters.entrySet()) {
      httpOf.put(m.getKey(), m.getValue().awaitLine(MASTER_READY, START).group(3));
    }
    dev.quern.testkit.ChildJvm.archive();
    TestProcess worker = procs.start("w1", new ProcessBuilder(quern("worker", "--config",
        conf.toString(), "--id", "w1", "--masters", "127.0.0.1:" + ports[0] + ",127.0.0.1:"
            + ports[1] + ",127.0.0.1:" + ports[2], "--slots", "2", "--data",
        tmp.resolve("w1").toString(), "--master-http", String.join(",", httpOf.values()))));
    worker.awaitLine(WORKER_READY, START);
    String leader = Await.value(START, "a leader that lists w1", () -> leaderOf(httpOf)
        .filter(l -> get(httpOf.get(l), "/api/cluster/workers")
            .map(d -> d.path("workers").size() == 1).orElse(false)).orElse(null));

    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "to be or not to be\nthat is the question\n");
    Files.writeString(in.resolve("b.txt"), "be quick\n");
    Path out = tmp.resolve("out");
    TestProcess client = procs.start("client", new ProcessBuilder(quern("submit", "--master",
        "quern://" + String.join(",", httpOf.values()),
        TestJars.examplesJar(tmp.resolve("examples.jar"), null).toString(), WORDCOUNT,
        in.toString(), out.toString())));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(Map.of("to", 2L, "be", 3L, "or", 1L, "not", 1L, "that", 1L, "is", 1L,
        "the", 1L, "question", 1L, "quick", 1L), output(out));

    // The job leaves every master's book one second after its end; each master saved it.
    for (String m : httpOf.keySet()) {
      Await.until(Duration.ofSeconds(60), () -> "master " + m + " retired " + ID + ": "
          + "quern_book_jobs " + sample(httpOf.get(m), "quern_book_jobs") + "\n"
          + masters.get(m).tail(20),
          () -> sample(httpOf.get(m), "quern_book_jobs") == 0);
      assertTrue(Files.isRegularFile(tmp.resolve(m).resolve("history").resolve(ID + ".json")),
          m + " keeps " + ID + " in its history");
    }
    assertTrue(masters.get(leader).log().contains("retiring 1 ended job(s) from the book"),
        () -> masters.get(leader).tail(40));

    // Leader and followers still answer for it, from history.
    for (String m : httpOf.keySet()) {
      assertSucceeded(m, httpOf.get(m));
    }
    String follower = httpOf.keySet().stream().filter(m -> !m.equals(leader)).findFirst()
        .orElseThrow();
    String followerAddress = "quern://" + httpOf.get(follower);
    CliRun status = CliRun.of("status", ID, "--master", followerAddress);
    assertEquals(0, status.exitCode(), status::toString);
    assertTrue(status.out().startsWith(ID + " wordcount: SUCCEEDED"), status::toString);
    CliRun waited = CliRun.of("wait", ID, "--master", followerAddress, "--interval", "100");
    assertEquals(0, waited.exitCode(), waited::toString);
    CliRun listed = CliRun.of("list", "--master", "quern://" + httpOf.get(leader));
    assertTrue(listed.out().lines().anyMatch(l -> l.matches(ID + " +SUCCEEDED +wordcount +.*")),
        listed::toString);

    // A follower killed and started again: its book comes back without the job (snapshot and
    // log), and its history still has it.
    masters.get(follower).killTree();
    TestProcess again = procs.start(follower + "-again",
        new ProcessBuilder(masterArgs.get(follower)));
    String againHttp = again.awaitLine(MASTER_READY, START).group(3);
    Await.until(Duration.ofSeconds(60), () -> "the restarted " + follower + " caught up: "
        + get(againHttp, "/api/cluster").map(JsonNode::toString).orElse("no answer"),
        () -> get(againHttp, "/api/cluster").map(s -> !s.path("leaderId").asText().isEmpty()
            && s.path("appliedIndex").asLong() > 0).orElse(false)
            && sample(againHttp, "quern_book_jobs") == 0);
    assertSucceeded(follower + " (restarted)", againHttp);
  }

  /** The job as the API of master {@code name} serves it: SUCCEEDED with its two maps. */
  private void assertSucceeded(String name, String hostPort) {
    JsonNode job = get(hostPort, "/api/v1/jobs/" + ID)
        .orElseThrow(() -> new AssertionError(name + " does not serve " + ID));
    assertEquals("SUCCEEDED", job.path("state").asText(), () -> name + ": " + job);
    assertEquals(2, job.path("map").path("done").asInt(), () -> name + ": " + job);
    JsonNode jobs = get(hostPort, "/api/v1/jobs").orElseThrow();
    assertEquals(1, jobs.size(), () -> name + ": " + jobs);
    assertEquals(ID, jobs.get(0).path("id").asText(), () -> name + ": " + jobs);
  }

  /** The leader every master names, if they all answer and agree. */
  private Optional<String> leaderOf(Map<String, String> httpOf) {
    String agreed = null;
    for (String hostPort : httpOf.values()) {
      Optional<JsonNode> s = get(hostPort, "/api/cluster");
      String l = s.map(d -> d.path("leaderId").asText()).orElse("");
      if (l.isEmpty() || (agreed != null && !agreed.equals(l))) {
        return Optional.empty();
      }
      agreed = l;
    }
    return Optional.ofNullable(agreed);
  }

  private Optional<JsonNode> get(String hostPort, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://" + hostPort + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(ClusterHttpClient.JSON.readTree(r.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One unlabelled sample of {@code /metrics}; -1 when absent or unreachable. */
  private double sample(String hostPort, String name) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://" + hostPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() != 200 ? -1 : r.body().lines()
          .filter(l -> l.startsWith(name + " "))
          .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
          .findFirst().orElse(-1);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code word TAB count} lines of the part files; the commit left only them and _SUCCESS. */
  private static Map<String, Long> output(Path out) throws IOException {
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS in " + out);
    Map<String, Long> counts = new TreeMap<>();
    List<Path> parts = new ArrayList<>();
    try (var files = Files.list(out)) {
      files.filter(p -> p.getFileName().toString().startsWith("part-")).forEach(parts::add);
    }
    for (Path f : parts) {
      for (String line : Files.readAllLines(f)) {
        int tab = line.lastIndexOf('\t');
        assertEquals(null, counts.put(line.substring(0, tab),
            Long.parseLong(line.substring(tab + 1))), "a word written twice: " + line);
      }
    }
    return counts;
  }
}
