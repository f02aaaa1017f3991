package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import dev.quern.worker.security.CredentialsInit;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured cluster (every process with {@code --security}: Artery over TLS with mutual
 * authentication) of three masters and one worker runs a WordCount to the right output; a worker
 * and a master holding another CA's credentials get nowhere (the worker never registers and runs
 * nothing, the master never hears the leader nor receives the log), while the cluster goes on
 * running jobs; the same master with the cluster's credentials then catches up.
 */
@Timeout(900)
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
class ClusterSecurityTest {
  /** What a process logs when a TLS peer's certificate is not of its CA (either side). */
  private static final Pattern REFUSED_TLS = Pattern.compile(
      "(?i)(SSLHandshakeException|certificate_unknown|unable to find valid certification path"
          + "|PKIX path|bad_certificate)");

  @Test
  void securedClusterRunsJobsAndTurnsAwayAForeignCa(@TempDir Path tmp, Seed seed,
      TestProcesses procs)
      throws Exception {
    Path ours = tmp.resolve("security");
    Path foreign = tmp.resolve("foreign-security");
    CredentialsInit.create(ours, List.of());
    CredentialsInit.create(foreign, List.of());
    Map<String, Path> security = new ConcurrentHashMap<>();
    Placement secured = new Placement() {
      @Override
      public String masterHost(String id) {
        return "127.0.0.1";
      }

      @Override
      public List<String> command(String id, List<String> quern) {
        return quern;
      }

      @Override
      public List<String> extraArgs(String id) {
        return List.of("--security", security.getOrDefault(id, ours).toString());
      }

      @Override
      public Path credentials() {
        return ours;
      }
    };
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"),
        procs, 2, ClusterFixture.WORKER_TIMEOUT, secured, "w1");
    wordCount(cluster, tmp, seed, "first");

    // Every master's HTTP refuses a request without the client token, or with another one
    // (while the fixture's and the client's requests, with it, were answered).
    Set<String> jobsBefore = cluster.jobIds();
    for (String m : cluster.httpPort.keySet()) {
      for (String auth : new String[] {null, "Bearer not-the-token"}) {
        for (String[] req : new String[][] {{"GET", "/api/cluster"}, {"GET", "/metrics"},
            {"GET", "/api/v1/jobs"}, {"POST", "/api/cluster/jobs"}}) {
          var r = send(req[0], cluster.http(m), req[1], auth);
          assertEquals(401, r.statusCode(), m + " " + req[0] + " " + req[1] + ": " + r.body());
        }
      }
    }
    assertEquals(jobsBefore, cluster.jobIds(), "no job accepted without the token");

    // A worker with another CA's identity: refused at the TLS handshake, never registered.
    security.put("wx", foreign);
    TestProcess wx = cluster.startWorker("wx");
    wx.awaitLine(ClusterFixture.WORKER_READY, START);
    Await.until(START, () -> "wx's log names the refused handshake:\n" + wx.tail(40),
        () -> REFUSED_TLS.matcher(wx.log()).find());
    // And a master: m3 restarted with the foreign credentials (same id, data and addresses).
    cluster.kill("m3");
    security.put("m3", foreign);
    TestProcess m3 = cluster.startMaster("m3");
    Await.until(START, () -> "m3's log names the refused handshake:\n" + m3.tail(40),
        () -> REFUSED_TLS.matcher(m3.log()).find());

    // The cluster goes on: another WordCount, on w1 alone, while both are up.
    String job = wordCount(cluster, tmp, seed, "second");
    assertTrue(wx.isAlive() && m3.isAlive(), "the foreign processes ran throughout");
    String leader = cluster.leader(List.of("m1", "m2")).orElseThrow();
    JsonNode workers = cluster.get(cluster.http(leader), "/api/cluster/workers").orElseThrow();
    Set<String> ids = new HashSet<>();
    workers.path("workers").forEach(w -> ids.add(w.path("id").asText()));
    assertEquals(Set.of("w1"), ids, workers::toString);
    JsonNode tasks = cluster.get(cluster.http(leader), "/api/v1/jobs/" + job + "/tasks")
        .orElseThrow();
    assertTrue(tasks.size() > 0 && tasks.toString().contains("\"w1\""), tasks::toString);
    assertFalse(tasks.toString().contains("\"wx\""), () -> "an attempt ran on wx: " + tasks);
    JsonNode leaderStatus = cluster.get(cluster.http(leader), "/api/cluster").orElseThrow();
    // m3 holds the other CA's directory, so it takes that directory's client token.
    JsonNode m3Status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        send("GET", cluster.http("m3"), "/api/cluster",
            dev.quern.worker.security.HttpAuth.bearer(
                dev.quern.worker.security.HttpAuth.token(foreign))).body());
    assertTrue(m3Status.path("leaderId").asText().isEmpty(), m3Status::toString);
    assertTrue(m3Status.path("commitIndex").asLong() < leaderStatus.path("commitIndex").asLong(),
        () -> "m3 " + m3Status + " vs leader " + leaderStatus);

    // With the cluster's credentials m3 catches up: it was the CA, not m3, that was refused.
    cluster.kill("m3");
    security.put("m3", ours);
    cluster.restartMaster("m3");
    long target = leaderStatus.path("commitIndex").asLong();
    Await.until(START, "m3 follows the leader and holds its log", () -> cluster.get(
        cluster.http("m3"), "/api/cluster").map(s -> !s.path("leaderId").asText().isEmpty()
            && s.path("commitIndex").asLong() >= target).orElse(false));
  }

  /** {@code method path} on {@code hostPort} with {@code authorization} (null: none). */
  private static java.net.http.HttpResponse<String> send(String method, String hostPort,
      String path, String authorization) throws Exception {
    var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + hostPort + path))
        .timeout(java.time.Duration.ofSeconds(30))
        .method(method, method.equals("GET") ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString("{}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return java.net.http.HttpClient.newHttpClient().send(b.build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** A WordCount submitted as {@code name}, its output checked; returns its job id. */
  private static String wordCount(ClusterFixture cluster, Path tmp, Seed seed, String name)
      throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve(name + "-in"), seed, 3, 500);
    Path out = tmp.resolve(name + "-out");
    Set<String> before = cluster.jobIds();
    TestProcess client = cluster.submit("client-" + name,
        ClusterFixture.examplesJar(tmp.resolve(name + ".jar")),
        "dev.quern.examples.wordcount.WordCount", in.toString(), out.toString());
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(counts(in), ClusterFixture.committedOutput(out, 2));
    return cluster.awaitNewJob(before);
  }

  /** WordCount's answer, made here: tokens as StringTokenizer splits them, case kept. */
  private static Map<String, String> counts(Path dir) throws java.io.IOException {
    Map<String, Long> n = new java.util.TreeMap<>();
    try (var files = java.nio.file.Files.list(dir)) {
      for (Path f : files.toList()) {
        for (String line : java.nio.file.Files.readAllLines(f)) {
          java.util.StringTokenizer t = new java.util.StringTokenizer(line);
          while (t.hasMoreTokens()) {
            n.merge(t.nextToken(), 1L, Long::sum);
          }
        }
      }
    }
    Map<String, String> out = new java.util.TreeMap<>();
    n.forEach((k, v) -> out.put(k, Long.toString(v)));
    return out;
  }
}
