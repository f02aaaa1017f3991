package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import dev.quern.worker.security.HttpsConnector;
import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's forward to the leader over real sockets: a "leader" served over HTTPS under a
 * cluster's credentials (it records what it received), and a "follower" whose routes forward to
 * it with {@link LeaderForward}, reached over plain HTTP as a browser would reach it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderForwardTest {
  @TempDir
  static Path dir;
  ClusterCredentials credentials;
  Javalin leader;
  Javalin follower;
  String followerBase;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The leader's record of each request: path, then its Authorization and Cookie. */
  final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
  /** Where the follower forwards to: the leader, or an address where nobody listens. */
  final Map<String, String> target = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws Exception {
    CredentialsInit.create(dir.resolve("security"), List.of());
    credentials = ClusterCredentials.load(dir.resolve("security"));
    leader = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.addConnector((server, cfg) -> HttpsConnector.create(server, cfg, credentials,
          "127.0.0.1", 0));
      c.routes.before(ctx -> seen.add(Map.of("path", ctx.path(),
          "authorization", String.valueOf(ctx.header("Authorization")),
          "cookie", String.valueOf(ctx.header("Cookie")))));
      c.routes.get("/api/v1/cluster/workers", ctx -> ctx.contentType("application/json")
          .result("{\"leaderId\":\"m1\",\"workers\":[{\"id\":\"w1\"}]}"));
      c.routes.get("/api/v1/jobs/j1/attempts/m-00000_0/logs/stdout", ctx -> ctx.status(200)
          .contentType("text/plain; charset=utf-8").header("X-Quern-Log-Size", "12")
          .header("X-Quern-Worker", "w1").header("X-Other", "not passed")
          .result("hello, world"));
      c.routes.get("/api/v1/jobs/j1/attempts/m-00009_0/logs/stdout", ctx -> ctx.status(404)
          .contentType("application/json")
          .result("{\"error\":\"attempt m-00009_0 of job j1 has no <logs>\"}"));
      c.routes.get("/moved", ctx -> ctx.status(307).header("Location", "https://elsewhere/"));
      c.routes.post("/api/v1/jobs/j1/kill", ctx -> ctx.status(202)
          .contentType("application/json").result("{\"id\":\"j1\",\"state\":\"KILLED\"}"));
    });
    leader.start();
    target.put("address", "127.0.0.1:" + leader.port());
    LeaderForward forward = new LeaderForward(ClusterAccess.of(credentials));
    follower = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      for (String p : List.of("/api/v1/cluster/workers", "/api/v1/jobs/{id}/attempts/{a}/logs/{s}",
          "/moved")) {
        c.routes.get(p, ctx -> forward.forward(ctx, "m1", target.get("address"),
            ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString())));
      }
      c.routes.post("/api/v1/jobs/{id}/kill", ctx -> forward.forward(ctx, "m1",
          target.get("address"), ctx.path()));
    });
    follower.start("127.0.0.1", 0);
    followerBase = "http://127.0.0.1:" + follower.port();
  }

  @AfterAll
  void stop() {
    if (follower != null) {
      follower.stop();
    }
    if (leader != null) {
      leader.stop();
    }
  }

  HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(followerBase + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  Map<String, String> lastSeen() {
    return seen.get(seen.size() - 1);
  }

  @Test
  void aGetGoesWithThisMastersTokenAndComesBackAsTheLeaderAnswered() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/cluster/workers", "Cookie", "quern_session_x=v");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"leaderId\":\"m1\",\"workers\":[{\"id\":\"w1\"}]}");
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(r.headers().firstValue("X-Quern-Leader")).hasValue("m1");
    assertThat(lastSeen()).containsEntry("path", "/api/v1/cluster/workers")
        .containsEntry("authorization", HttpAuth.bearer(credentials.clientToken()))
        .as("the browser's cookie stays here").containsEntry("cookie", "null");

    HttpResponse<String> log = send("GET",
        "/api/v1/jobs/j1/attempts/m-00000_0/logs/stdout?length=1048576", "Accept", "text/html");
    assertThat(log.statusCode()).isEqualTo(200);
    assertThat(log.body()).isEqualTo("hello, world");
    assertThat(log.headers().firstValue("X-Quern-Log-Size")).hasValue("12");
    assertThat(log.headers().firstValue("X-Quern-Worker")).hasValue("w1");
    assertThat(log.headers().firstValue("X-Other")).isEmpty();
    assertThat(log.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/plain"));
  }

  @Test
  void theLeadersErrorIsJsonForTheApiAndAPageForABrowsersTab() throws Exception {
    String path = "/api/v1/jobs/j1/attempts/m-00009_0/logs/stdout";
    HttpResponse<String> api = send("GET", path);
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(api.body()).isEqualTo("{\"error\":\"attempt m-00009_0 of job j1 has no <logs>\"}");
    HttpResponse<String> page = send("GET", path, "Accept", "text/html,*/*");
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body()).contains("<h1>Not found</h1>")
        .contains("Leader m1 answered 404: attempt m-00009_0 of job j1 has no &lt;logs&gt;")
        .doesNotContain("<logs>");
  }

  @Test
  void aKillGoesWithTheCallersOwnCredentialsAndNotFromAnotherOrigin() throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/jobs/j1/kill", "Cookie", "quern_session_x=v",
        "Origin", followerBase);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(r.body()).contains("KILLED");
    assertThat(lastSeen()).containsEntry("path", "/api/v1/jobs/j1/kill")
        .containsEntry("cookie", "quern_session_x=v")
        .as("not this master's token").containsEntry("authorization", "null");
    send("POST", "/api/v1/jobs/j1/kill", "Authorization", "Bearer the-callers");
    assertThat(lastSeen()).containsEntry("authorization", "Bearer the-callers");

    int before = seen.size();
    HttpResponse<String> foreign = send("POST", "/api/v1/jobs/j1/kill", "Cookie",
        "quern_session_x=v", "Origin", "https://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(seen).as("nothing reached the leader").hasSize(before);
  }

  @Test
  void aLeaderThatMovedOrDoesNotAnswerIsSaidSo() throws Exception {
    HttpResponse<String> moved = send("GET", "/moved");
    assertThat(moved.statusCode()).isEqualTo(503);
    assertThat(moved.body()).contains("m1 no longer leads");
    assertThat(moved.headers().firstValue("Location")).isEmpty();

    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort(); // closed below: a connection there is refused
    }
    String leaderAddress = target.get("address");
    target.put("address", "127.0.0.1:" + closed);
    try {
      HttpResponse<String> page = send("GET", "/api/v1/cluster/workers", "Accept", "text/html");
      assertThat(page.statusCode()).isEqualTo(502);
      assertThat(page.body()).contains("The leader could not be reached")
          .contains("Leader m1 at 127.0.0.1:" + closed + " did not answer");
      HttpResponse<String> api = send("GET", "/api/v1/cluster/workers");
      assertThat(api.statusCode()).isEqualTo(502);
      assertThat(api.body()).startsWith("{\"error\":\"Leader m1 at 127.0.0.1:" + closed);
    } finally {
      target.put("address", leaderAddress);
    }
  }
}
