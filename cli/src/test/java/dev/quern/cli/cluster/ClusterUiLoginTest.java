package dev.quern.cli.cluster;

import static dev.quern.cli.cluster.ClusterFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import dev.quern.testkit.Await;
import dev.quern.testkit.TestProcesses;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's login on a secured cluster's masters (with {@code quern.ui.password-file} in their
 * configuration): a browser's page without the token is sent to the login page; a user of the
 * password file, or the client token, logs in; the session cookie then does instead of the token
 * for the UI's API (reading, and a kill, which reaches the kill handler), but not for the
 * cluster's own endpoints, which still want the token.
 */
@Timeout(600)
@ExtendWith(TestProcesses.Extension.class)
class ClusterUiLoginTest {
  private static final String PASSWORD = "the operator's passphrase";
  /** HTTPS trusting the cluster's CA only: a secured master serves nothing else. */
  private HttpClient http;

  @Test
  void aSecuredMasterTakesASessionCookieInPlaceOfTheToken(@TempDir Path tmp,
      TestProcesses procs) throws Exception {
    Path security = tmp.resolve("security");
    CredentialsInit.create(security, List.of());
    String token = HttpAuth.token(security);
    http = HttpClient.newBuilder().sslContext(ClusterCredentials.trustContext(security))
        .connectTimeout(Duration.ofSeconds(5)).build();
    Path users = tmp.resolve("ui-users");
    PasswordFile.put(users, "ops", PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS,
        new SecureRandom());
    Placement secured = new Placement() {
      @Override
      public String masterHost(String id) {
        return "127.0.0.1";
      }

      /** The fixture's configuration, and the UI's password file. */
      @Override
      public List<String> command(String id, List<String> quern) {
        List<String> cmd = new ArrayList<>(quern);
        int at = cmd.indexOf("--config");
        if (at >= 0 && cmd.contains("master")) {
          Path fixture = Path.of(cmd.get(at + 1));
          Path withUi = fixture.resolveSibling("with-ui.conf");
          try {
            Files.writeString(withUi, Files.readString(fixture) + "\nquern.ui.password-file = \""
                + users + "\"\n");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          cmd.set(at + 1, withUi.toString());
        }
        return cmd;
      }

      @Override
      public List<String> extraArgs(String id) {
        return List.of("--security", security.toString());
      }

      @Override
      public Path credentials() {
        return security;
      }
    };
    ClusterFixture cluster = ClusterFixture.start(tmp.resolve("cluster"), procs, 1,
        ClusterFixture.WORKER_TIMEOUT, secured);
    Await.until(START, "a leader", () -> cluster.leader().isPresent());
    String leader = cluster.leader().orElseThrow();
    String base = base(cluster, leader);

    HttpResponse<String> page = send(base, "GET", "/", null, null, "Accept", "text/html");
    assertEquals(303, page.statusCode(), page::body);
    assertEquals("/login", page.headers().firstValue("Location").orElse(""));
    assertEquals(200, send(base, "GET", "/login", null, null).statusCode());
    assertEquals(401, send(base, "GET", "/api/v1/jobs", null, null).statusCode());

    HttpResponse<String> wrong = login(base, "ops", PASSWORD + "?");
    assertEquals(401, wrong.statusCode());
    assertFalse(wrong.body().contains(PASSWORD), "no password echoed");
    for (String[] credentials : new String[][] {{"ops", PASSWORD}, {"", token}}) {
      HttpResponse<String> ok = login(base, credentials[0], credentials[1]);
      assertEquals(303, ok.statusCode(), ok::body);
      String set = ok.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(set.contains("HttpOnly") && set.contains("SameSite=Strict"), set);
      String cookie = set.substring(0, set.indexOf(';'));

      HttpResponse<String> jobs = send(base, "GET", "/api/v1/jobs", cookie, null);
      assertEquals(200, jobs.statusCode(), jobs::body);
      assertEquals(200, send(base, "GET", "/api/v1/cluster", cookie, null).statusCode());
      assertEquals(200, send(base, "GET", "/", cookie, null, "Accept", "text/html")
          .statusCode());
      HttpResponse<String> kill = send(base, "POST", "/api/v1/jobs/job-9999/kill", cookie, null);
      assertEquals(404, kill.statusCode(), () -> "the kill reached the handler: " + kill.body());
      assertEquals(401, send(base, "POST", "/api/v1/jobs/job-9999/kill", null, null)
          .statusCode());
      // The cluster's own endpoints: the token only.
      assertEquals(401, send(base, "GET", "/api/cluster", cookie, null).statusCode());
      assertEquals(401, send(base, "POST", "/api/cluster/jobs", cookie, null).statusCode());
      assertEquals(200, send(base, "GET", "/api/cluster", null, HttpAuth.bearer(token))
          .statusCode());
      // Every master of the cluster takes the session (signed under the cluster's key).
      String other = cluster.httpPort.keySet().stream().filter(m -> !m.equals(leader))
          .findFirst().orElseThrow();
      assertEquals(200, send(base(cluster, other), "GET", "/api/v1/jobs", cookie, null)
          .statusCode());

      HttpResponse<String> out = send(base, "POST", "/logout", cookie, null);
      assertEquals(303, out.statusCode());
      assertEquals(401, send(base, "GET", "/api/v1/jobs", cookie, null).statusCode());
    }
  }

  /** The master's UI: plain HTTP today; the one place to change if it becomes HTTPS. */
  private static String base(ClusterFixture cluster, String master) {
    return "https://" + cluster.http(master);
  }

  private HttpResponse<String> login(String base, String user, String password)
      throws Exception {
    String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .timeout(Duration.ofSeconds(30)).header("Origin", base)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String base, String method, String path, String cookie,
      String authorization, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
