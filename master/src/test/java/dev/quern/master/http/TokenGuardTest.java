package dev.quern.master.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.master.client.ClusterClient;
import dev.quern.master.client.MasterList;
import dev.quern.master.cluster.jars.JarGroup;
import dev.quern.master.cluster.jars.JarRoutes;
import dev.quern.master.cluster.jars.JarStore;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured master's first check, on a real HTTP server: the real jar store's routes, a
 * submission endpoint that counts what it accepts and the UI's root, behind {@link TokenGuard}
 * registered as {@code ClusterHttp} registers it. Without the client token, or with another one,
 * every request gets 401 and nothing is stored or accepted; with it, the same requests work.
 */
class TokenGuardTest {
  @TempDir Path tmp;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final AtomicInteger accepted = new AtomicInteger();
  ClusterCredentials credentials;
  JarStore store;
  Javalin app;
  String base;

  @BeforeEach
  void start() throws Exception {
    CredentialsInit.create(tmp.resolve("security"), List.of());
    credentials = ClusterCredentials.load(tmp.resolve("security"));
    store = new JarStore(tmp.resolve("jars"));
    JarGroup alone = JarGroup.fixed("m1", List.of("m1"), () -> "m1", id -> Optional.empty());
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.routes.before(ctx -> TokenGuard.check(ctx, credentials));
      JarRoutes.register(c.routes, store, alone, 1 << 20);
      c.routes.post("/api/cluster/jobs", ctx -> {
        accepted.incrementAndGet();
        ctx.status(202).result("{\"id\":\"job-0001\"}");
      });
      c.routes.get("/", ctx -> ctx.result("<html>the UI</html>"));
    });
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  HttpResponse<String> send(String method, String path, String authorization, byte[] body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10)).method(method, body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      b.header(HttpAuth.HEADER, authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  long storedFiles() throws Exception {
    try (Stream<Path> files = Files.walk(tmp.resolve("jars"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void everyEndpointRefusesWithoutTheTokenAndChangesNothing() throws Exception {
    byte[] jar = "not really a jar".getBytes(StandardCharsets.UTF_8);
    JarStore.Stored held = store.put("held".getBytes(StandardCharsets.UTF_8), null);
    long filesBefore = storedFiles();
    String wrong = HttpAuth.bearer(credentials.clientToken() + "x");
    String sameLengthWrong = HttpAuth.bearer("y".repeat(credentials.clientToken().length()));
    for (String auth : new String[] {null, wrong, sameLengthWrong, credentials.clientToken(),
        "Basic " + credentials.clientToken()}) {
      List<HttpResponse<String>> answers = List.of(
          send("POST", JarRoutes.UPLOAD, auth, jar),
          send("PUT", JarRoutes.UPLOAD + "/" + held.sha256(), auth, jar),
          send("GET", JarRoutes.UPLOAD + "/" + held.sha256(), auth, null),
          send("POST", "/api/cluster/jobs", auth, "{}".getBytes(StandardCharsets.UTF_8)),
          send("GET", "/", auth, null),
          send("GET", "/no/such/page", auth, null));
      for (HttpResponse<String> r : answers) {
        assertEquals(401, r.statusCode(), () -> r.request() + " with " + (auth == null ? "no"
            : "a wrong") + " token: " + r.body());
        assertTrue(r.body().contains("authentication required"), r.body());
        assertFalse(r.body().contains("held"), r.body());
        assertFalse(r.body().contains(credentials.clientToken()), "the token is not echoed");
      }
    }
    assertEquals(0, accepted.get(), "no job accepted");
    assertEquals(filesBefore, storedFiles(), "no jar stored");
  }

  @Test
  void theTokenLetsEveryRequestThrough() throws Exception {
    String auth = HttpAuth.bearer(credentials.clientToken());
    byte[] jar = "a jar's bytes".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> up = send("POST", JarRoutes.UPLOAD, auth, jar);
    assertEquals(201, up.statusCode(), up.body());
    String sha = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(jar));
    assertTrue(store.find(sha).isPresent(), "the jar is stored");
    assertEquals("a jar's bytes", send("GET", JarRoutes.UPLOAD + "/" + sha, auth, null).body());
    assertEquals(202, send("POST", "/api/cluster/jobs", auth, new byte[0]).statusCode());
    assertEquals(1, accepted.get());
    assertEquals(200, send("GET", "/", auth, null).statusCode());
  }

  @Test
  void theClusterClientSendsItsToken() {
    MasterList masters = MasterList.parse(base);
    ClusterClient.Settings once = ClusterClient.Settings.defaults().withRetryFor(Duration.ZERO);
    assertEquals(401, new ClusterClient(masters, once, null).get("/").status());
    assertEquals(401, new ClusterClient(masters, once, "other").get("/").status());
    ClusterClient.Response r = new ClusterClient(masters, once, credentials.clientToken())
        .get("/");
    assertEquals(200, r.status(), r.text());
    assertEquals("<html>the UI</html>", r.text());
  }
}
