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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task attempt logs on a real cluster (three masters, one worker of two slots, executor JVMs):
 * a job whose two mappers print known lines to System.out (one from a thread the mapper
 * started), System.err and slf4j runs; while its maps run, the leader's workers API lists the
 * job's executor with the pid the tasks report, alive; once it ended, {@code quern logs} (the
 * real command, in a process of its own, stdout to a file) prints exactly each attempt's lines
 * and none of the other's; an unknown attempt, task or job is a clear error with exit code 3;
 * and a path that tries to leave the logs directory is refused.
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Seeds.class)
class ClusterLogsTest {
  private Path tmp;
  private ClusterFixture cluster;
  private Path jar;

  @RegisterExtension final SharedProcesses procs = new SharedProcesses();

  @BeforeAll
  void startCluster(@TempDir Path dir) throws Exception {
    tmp = dir;
    cluster = ClusterFixture.start(tmp.resolve("cluster"), procs.open(getClass()), 2, "w1");
    jar = ClusterFixture.jarOfClass(tmp.resolve("printing.jar"), PrintingJob.class);
  }

  @Test
  void quernLogsPrintsExactlyEachAttemptsLines(Seed seed) throws Exception {
    Set<String> before = cluster.jobIds();
    Path in = ClusterFixture.corpus(tmp.resolve("in"), seed, 2, 20);
    Path gate = Files.createDirectories(tmp.resolve("gate"));
    Files.createFile(gate.resolve("hold"));
    TestProcess client = cluster.submit("client-printing", jar, PrintingJob.class.getName(),
        in.toString(), tmp.resolve("out").toString(), gate.toString());
    String job = cluster.awaitNewJob(before);
    Map<String, Long> pids = Await.value(JOB, "both maps at the gate", () -> {
      Map<String, Long> p = startedPids(gate);
      return p.size() == 2 ? p : null;
    });
    Set<Long> taskPids = Set.copyOf(pids.values());
    assertEquals(1, taskPids.size(), "one executor runs both maps: " + pids);
    long pid = taskPids.iterator().next();

    // The workers API lists that executor, with its pid, alive, and its running attempts.
    JsonNode executor = Await.value(JOB, "the executor of " + job + " in the workers API", () ->
        cluster.getAny("/api/v1/cluster/workers").map(d -> {
          for (JsonNode w : d.path("workers")) {
            for (JsonNode e : w.path("executors")) {
              if (w.path("id").asText().equals("w1") && e.path("jobId").asText().equals(job)
                  && e.path("running").asInt() == 2) {
                return e;
              }
            }
          }
          return null;
        }).orElse(null));
    assertEquals(pid, executor.path("pid").asLong(), executor::toString);
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "executor " + pid + " is alive");
    assertNotEquals(cluster.workers.get("w1").pid(), pid);
    assertTrue(executor.path("memory").asText().length() > 0, executor::toString);
    JsonNode worker = Await.value(JOB, "w1 in the workers API", () ->
        cluster.getAny("/api/v1/cluster/workers").map(d -> d.path("workers").get(0))
            .orElse(null));
    assertEquals(2, worker.path("slots").asInt(), worker::toString);
    assertEquals(2, worker.path("running").size(), worker::toString);
    assertTrue(worker.path("heartbeatAgeMillis").asLong() >= 0, worker::toString);
    assertEquals(false, worker.path("excluded").asBoolean(true), worker::toString);

    Files.delete(gate.resolve("hold"));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));

    List<String> attempts = new ArrayList<>();
    for (JsonNode t : cluster.tasks(job)) {
      for (JsonNode a : t.path("attempts")) {
        attempts.add(a.path("id").asText());
      }
    }
    assertEquals(List.of(job + "/m-00000/1", job + "/m-00001/1"), attempts.stream().sorted()
        .toList());
    for (String attempt : attempts) {
      String[] parts = attempt.split("/");
      String[][] expected = PrintingJob.lines(attempt);
      String other = attempt.endsWith("m-00000/1") ? job + "/m-00001/1" : job + "/m-00000/1";
      assertEquals(lines(expected[0]), logs(job, parts[1], "stdout").stdout, attempt);
      assertEquals(lines(expected[1]), logs(job, parts[1], "stderr").stdout, attempt);
      String log = logs(job, parts[1], "log").stdout;
      List<String> mine = log.lines().filter(l -> l.contains(PrintingJob.LOGGER)).toList();
      assertEquals(2, mine.size(), log);
      assertTrue(mine.get(0).contains(" INFO ") && mine.get(0).endsWith(" - " + expected[2][0]),
          log);
      assertTrue(mine.get(1).contains(" WARN ") && mine.get(1).endsWith(" - " + expected[2][1]),
          log);
      assertTrue(!log.contains(other) && !log.contains("not kept"), log);
      // All three at once, each under its header.
      Run all = quernLogs("all-" + parts[1], job, "--task", parts[1]);
      assertEquals(0, all.code, all.log);
      assertTrue(all.stdout.contains("==> " + attempt + " stdout (worker w1) <==\n"
          + lines(expected[0])) && !all.stdout.contains(other), all.stdout);
    }

    Run noAttempt = quernLogs("no-attempt", job, "--task", "m-00000", "--attempt", "7");
    assertEquals(3, noAttempt.code, noAttempt.log);
    assertTrue(noAttempt.log.contains("quern: job " + job + " has no attempt of task m-00000 #7"),
        noAttempt.log);
    Run noTask = quernLogs("no-task", job, "--task", "m-00042");
    assertEquals(3, noTask.code, noTask.log);
    assertTrue(noTask.log.contains("has no task m-00042 (its tasks: m-00000, m-00001)"),
        noTask.log);
    Run noJob = quernLogs("no-job", "job-9999");
    assertEquals(3, noJob.code, noJob.log);
    assertTrue(noJob.log.contains("quern: no job job-9999"), noJob.log);

    // The API itself: an unknown attempt, and names that try to leave the logs directory.
    String leader = cluster.http(cluster.leader().orElseThrow());
    HttpResponse<String> unknown = get(leader, "/api/v1/jobs/" + job
        + "/attempts/m-00000_9/logs/stdout");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("job " + job + " has no attempt m-00000/9"),
        unknown.body());
    for (String bad : List.of("/api/v1/jobs/" + job + "/attempts/..%2F..%2Fjars/logs/stdout",
        "/api/v1/jobs/..%2F..%2F/attempts/m-00000_1/logs/stdout",
        "/api/v1/jobs/" + job + "/attempts/m-00000_1/logs/..%2F..%2Fstdout",
        "/api/v1/jobs/" + job + "/attempts/m-00000_1/logs/stdout?offset=-5")) {
      HttpResponse<String> r = get(leader, bad);
      assertTrue(r.statusCode() == 400 || r.statusCode() == 404, bad + ": " + r.statusCode()
          + " " + r.body());
    }
    HttpResponse<String> named = get(leader, "/api/v1/jobs/" + job
        + "/attempts/..%2Fm-00000_1/logs/stdout");
    assertEquals(400, named.statusCode(), named.body());
    assertTrue(named.body().contains("not an attempt"), named.body());

    // A follower answers itself, asking the leader (never a 307, which a browser would follow
    // to another origin without its session): the same bytes, the workers page's data, and an
    // error as a page for a browser's tab.
    String path = "/api/v1/jobs/" + job + "/attempts/m-00000_1/logs/stdout";
    String expected = get(leader, path).body();
    for (String m : cluster.httpPort.keySet()) {
      if (cluster.http(m).equals(leader)) {
        continue;
      }
      HttpResponse<String> r = get(cluster.http(m), path);
      assertEquals(200, r.statusCode(), m + ": " + r.body());
      assertEquals(expected, r.body(), m);
      assertTrue(r.headers().firstValue("X-Quern-Leader").isPresent(), m + " " + r.headers());
      HttpResponse<String> w = get(cluster.http(m), "/api/v1/cluster/workers");
      assertEquals(200, w.statusCode(), m + ": " + w.body());
      assertTrue(w.body().contains("\"id\":\"w1\""), w.body());
      HttpResponse<String> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://" + cluster.http(m) + "/api/v1/jobs/" + job
              + "/attempts/m-00000_9/logs/stdout")).header("Accept", "text/html")
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode(), missing.body());
      assertTrue(missing.headers().firstValue("Content-Type").orElse("").startsWith("text/html")
          && missing.body().contains("has no attempt m-00000/9"), missing.body());
    }
  }

  private record Run(int code, String stdout, String log) {}

  private Run logs(String job, String task, String stream) throws Exception {
    Run r = quernLogs(task + "-" + stream, job, "--task", task, "--attempt", "1", "--stream",
        stream);
    assertEquals(0, r.code, r.log);
    return r;
  }

  /** {@code quern logs ARGS --master ...} in a process; its stdout alone to a file. */
  private Run quernLogs(String name, String... args) throws Exception {
    Path out = tmp.resolve("logs-" + name + ".out");
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" > '" + out + "'", "sh"));
    List<String> quern = new ArrayList<>(List.of("logs"));
    quern.addAll(List.of(args));
    quern.addAll(List.of("--master", cluster.address()));
    cmd.addAll(ClusterFixture.quern(quern.toArray(String[]::new)));
    TestProcess p = cluster.procs.start("logs-" + name, new ProcessBuilder(cmd));
    int code = p.awaitExit(JOB);
    return new Run(code, Files.readString(out), p.log());
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private static HttpResponse<String> get(String hostPort, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://" + hostPort + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Map index to the pid its attempt wrote at the gate. */
  private static Map<String, Long> startedPids(Path gate) {
    Map<String, Long> pids = new HashMap<>();
    try (Stream<Path> files = Files.list(gate)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("started-"))
          .toList()) {
        try {
          pids.put(f.getFileName().toString(), Long.parseLong(Files.readString(f).trim()));
        } catch (NumberFormatException e) {
          // not written whole yet
        }
      }
    } catch (java.io.IOException e) {
      return Map.of();
    }
    return pids;
  }
}
