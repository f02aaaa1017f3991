package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.JOB;
import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import dev.quern.worker.security.ShuffleMac;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured cluster (every process with {@code --security}: Artery over TLS with mutual
 * authentication, HTTPS only on every HTTP endpoint) of three masters and two workers runs a
 * WordCount to the right output, its reduces fetching across workers over HTTPS with the job's
 * shuffle MAC; plain HTTP and clients that do not trust the cluster CA get nothing from any
 * master or worker; every endpoint (status, API, metrics, submission, jar and split stores,
 * kill, shuffle) refuses a request without the token (or the job's MAC) and changes nothing;
 * a shuffle fetch signed with another job's key is refused; path traversal in every path
 * parameter is refused; a worker
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
        procs, 2, ClusterFixture.WORKER_TIMEOUT, secured, "w1", "w2");
    String first = wordCount(cluster, tmp, seed, "first");
    httpsOnlyAndAuthenticated(cluster, ours, first);

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
    assertEquals(Set.of("w1", "w2"), ids, workers::toString);
    JsonNode tasks = cluster.get(cluster.http(leader), "/api/v1/jobs/" + job + "/tasks")
        .orElseThrow();
    assertTrue(tasks.size() > 0 && (tasks.toString().contains("\"w1\"")
        || tasks.toString().contains("\"w2\"")), tasks::toString);
    assertFalse(tasks.toString().contains("\"wx\""), () -> "an attempt ran on wx: " + tasks);
    JsonNode leaderStatus = cluster.get(cluster.http(leader), "/api/cluster").orElseThrow();
    // m3 holds the other CA's directory: it serves that CA's certificate (so a client of our CA
    // cannot reach it) and takes that directory's client token.
    assertThrows(SSLHandshakeException.class, () -> send("GET", cluster.http("m3"),
        "/api/cluster", HttpAuth.bearer(HttpAuth.token(ours))));
    ClusterAccess theirs = ClusterAccess.fromDir(foreign);
    JsonNode m3Status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        theirs.clientBuilder().build().send(theirs.authorize(HttpRequest.newBuilder(
            theirs.uri(cluster.http("m3"), "/api/cluster"))).build(),
            HttpResponse.BodyHandlers.ofString()).body());
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

  /**
   * {@code method path} over HTTPS (trusting the cluster CA, {@code ours}) on {@code hostPort}
   * with {@code authorization} (null: none).
   */
  private static HttpResponse<String> send(String method, String hostPort, String path,
      String authorization) throws Exception {
    return send(method, hostPort, path, authorization, Map.of());
  }

  private static HttpResponse<String> send(String method, String hostPort, String path,
      String authorization, Map<String, String> headers) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("https://" + hostPort + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    headers.forEach(b::header);
    return httpsClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static volatile HttpClient https;

  private static HttpClient httpsClient() {
    return https;
  }

  /**
   * The HTTP side of a secured cluster, on every master and every worker: HTTPS only, from the
   * cluster CA only; nothing without the token (or, for a shuffle fetch, the job's MAC); another
   * job's MAC refused; traversal in every path parameter refused.
   */
  private static void httpsOnlyAndAuthenticated(ClusterFixture cluster, Path ours, String job)
      throws Exception {
    ClusterCredentials creds = ClusterCredentials.load(ours);
    https = HttpClient.newBuilder().sslContext(creds.trustContext())
        .connectTimeout(Duration.ofSeconds(10)).build();
    String token = HttpAuth.bearer(creds.clientToken());
    String leader = cluster.leader().orElseThrow();
    List<String> workerHttp = new ArrayList<>();
    cluster.get(cluster.http(leader), "/api/cluster/workers").orElseThrow().path("workers")
        .forEach(w -> workerHttp.add(w.path("http").asText()));
    assertEquals(2, workerHttp.size(), workerHttp::toString);
    List<String> every = new ArrayList<>();
    cluster.httpPort.keySet().forEach(m -> every.add(cluster.http(m)));
    every.addAll(workerHttp);

    // Plain HTTP gets no HTTP answer; an HTTPS client of the JDK's CAs fails the handshake.
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpClient jdkTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (String hostPort : every) {
      String path = workerHttp.contains(hostPort) ? "/metrics" : "/api/cluster";
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
          .header("Authorization", token).timeout(Duration.ofSeconds(30)).build();
      assertThrows(IOException.class, () -> plain.send(req, HttpResponse.BodyHandlers.ofString()),
          "plain HTTP to " + hostPort);
      HttpRequest tls = HttpRequest.newBuilder(URI.create("https://" + hostPort + path))
          .header("Authorization", token).timeout(Duration.ofSeconds(30)).build();
      assertThrows(SSLHandshakeException.class,
          () -> jdkTrust.send(tls, HttpResponse.BodyHandlers.ofString()),
          "HTTPS to " + hostPort + " from a client that does not trust the cluster CA");
      // The same request with the CA and the token is answered.
      assertEquals(200, send("GET", hostPort, path, token).statusCode(), hostPort + path);
    }

    // Every master endpoint: 401 without the token or with another, and nothing changes.
    String sha = "ab".repeat(32);
    Set<String> jobsBefore = cluster.jobIds();
    String[][] requests = {{"GET", "/api/cluster"}, {"GET", "/api/cluster/workers"},
        {"GET", "/metrics"}, {"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/" + job},
        {"POST", "/api/cluster/jobs"}, {"POST", "/api/v1/jobs/" + job + "/kill"},
        {"POST", "/api/cluster/jars"}, {"PUT", "/api/cluster/jars/" + sha},
        {"GET", "/api/cluster/jars/" + sha}, {"POST", "/api/cluster/splits"},
        {"PUT", "/api/cluster/splits/" + sha}, {"GET", "/api/cluster/splits/" + sha},
        {"GET", "/"}};
    for (String m : cluster.httpPort.keySet()) {
      for (String auth : new String[] {null, "Bearer not-the-token", creds.clientToken()}) {
        for (String[] req : requests) {
          var r = send(req[0], cluster.http(m), req[1], auth);
          assertEquals(401, r.statusCode(), m + " " + req[0] + " " + req[1] + ": " + r.body());
          assertFalse(r.body().contains(creds.clientToken()), r::body);
        }
      }
      // With the token: the stores never got the blobs, the job was not killed.
      assertEquals(404, send("GET", cluster.http(m), "/api/cluster/jars/" + sha, token)
          .statusCode());
      assertEquals(404, send("GET", cluster.http(m), "/api/cluster/splits/" + sha, token)
          .statusCode());
    }
    assertEquals(jobsBefore, cluster.jobIds(), "no job accepted without the token");
    assertEquals("SUCCEEDED", cluster.get(cluster.http(leader), "/api/v1/jobs/" + job)
        .orElseThrow().path("state").asText(), "the job was not killed");

    // Workers: /metrics wants the token; a shuffle fetch its job's MAC, checked before any
    // lookup (403 whether or not the output exists); another job's MAC is refused.
    String shufflePath = "/shuffle/" + job + "/m-00000_0/0";
    String otherJob = job + "x";
    for (String w : workerHttp) {
      for (String auth : new String[] {null, "Bearer not-the-token"}) {
        assertEquals(401, send("GET", w, "/metrics", auth).statusCode(), w);
      }
      assertEquals(403, send("GET", w, shufflePath, token).statusCode(), w);
      for (String mac : new String[] {"not-a-mac",
          ShuffleMac.sign(creds.shuffleKey(otherJob), shufflePath),
          ShuffleMac.sign(creds.shuffleKey(job), shufflePath + "1")}) {
        var r = send("GET", w, shufflePath, null, Map.of(ShuffleMac.HEADER, mac));
        assertEquals(403, r.statusCode(), w + " " + r.body());
      }
      // The job's own MAC passes the check; the ended job's outputs are gone (404).
      var own = send("GET", w, shufflePath, null,
          Map.of(ShuffleMac.HEADER, ShuffleMac.sign(creds.shuffleKey(job), shufflePath)));
      assertEquals(404, own.statusCode(), w + " " + own.body());
    }

    // Traversal in every path parameter (job id, jar and split hash, shuffle job, map, partition),
    // sent with the token (and the MAC for the very path): refused, nothing outside read.
    for (String m : cluster.httpPort.keySet()) {
      for (String path : List.of("/api/cluster/jars/..%2F..%2F..%2Fetc%2Fpasswd",
          "/api/cluster/jars/" + sha.substring(2) + "%2F..",
          "/api/cluster/splits/..%2F..%2Fetc%2Fpasswd", "/api/cluster/splits/..",
          "/api/v1/jobs/..%2F..%2Fetc%2Fpasswd", "/api/v1/jobs/..%2F..%2Fetc%2Fpasswd/tasks",
          "/api/v1/jobs/" + job + "%2F..%2F..%2Fhistory/tasks",
          "/api/v1/jobs/..%2F" + job + "/kill")) {
        String method = path.endsWith("/kill") ? "POST" : "GET";
        var r = send(method, cluster.http(m), path, token);
        if (r.statusCode() == 307) {
          // A follower sends a kill to the leader first (HTTPS, never a downgrade); the leader
          // refuses it.
          URI to = URI.create(r.headers().firstValue("Location").orElseThrow());
          assertEquals("https", to.getScheme(), to::toString);
          r = send(method, to.getRawAuthority(), to.getRawPath(), token);
        }
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, m + " " + path + ": "
            + r.statusCode() + " " + r.body());
        assertFalse(r.body().contains("root:"), r::body);
      }
    }
    for (String w : workerHttp) {
      for (String path : List.of("/shuffle/..%2F..%2Fetc%2Fpasswd/m-00000_0/0",
          "/shuffle/" + job + "/..%2F..%2Fetc%2Fpasswd/0",
          "/shuffle/" + job + "/m-00000_0/..%2F..%2Fetc%2Fpasswd",
          "/shuffle/" + job + "/m-00000_0%2F..%2F..%2Fjars/0")) {
        var r = send("GET", w, path, token,
            Map.of(ShuffleMac.HEADER, ShuffleMac.sign(creds.shuffleKey(job), path)));
        assertTrue(r.statusCode() == 400 || r.statusCode() == 403 || r.statusCode() == 404,
            w + " " + path + ": " + r.statusCode() + " " + r.body());
        assertFalse(r.body().contains("root:"), r::body);
      }
    }
    assertEquals("SUCCEEDED", cluster.get(cluster.http(leader), "/api/v1/jobs/" + job)
        .orElseThrow().path("state").asText());
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
