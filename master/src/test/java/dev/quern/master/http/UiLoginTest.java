package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.master.http.login.StepClock;
import dev.quern.master.http.login.LoginMode;
import dev.quern.master.http.login.LoginSettings;
import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import dev.quern.master.http.login.SessionCookie;
import dev.quern.master.http.login.UiLogin;
import dev.quern.testkit.Await;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's login over real HTTP, on a server built as the UI servers build theirs (the API,
 * the login, the app's files) over a live local cluster, with a clock the test moves: which
 * requests need a login, what a login gives and its cookie, expiry, logout, the bound on
 * guessing, and the client token on a secured server (TokenGuard in front).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiLoginTest {
  static final String PASSWORD = "correct horse battery staple";

  @TempDir static Path dir;
  UiTestCluster ui;
  Path users;
  ClusterCredentials credentials;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final StepClock clock = new StepClock(Instant.parse("2026-01-01T00:00:00Z"));
  final List<Javalin> apps = new ArrayList<>();
  final List<EventHub> hubs = new ArrayList<>();

  /** What the login logs, at INFO (the tests' root level is WARN), to look for secrets in. */
  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
      new ch.qos.logback.core.read.ListAppender<>();
  final ch.qos.logback.classic.Logger loginLog = (ch.qos.logback.classic.Logger)
      org.slf4j.LoggerFactory.getLogger(UiLogin.class);

  /** Every line logged so far, as it would be written. */
  String logText() {
    StringBuilder b = new StringBuilder();
    synchronized (logged.list) {
      logged.list.forEach(e -> b.append(e.getFormattedMessage()).append('\n'));
    }
    return b.toString();
  }

  @BeforeAll
  void start() throws Exception {
    logged.start();
    loginLog.addAppender(logged);
    loginLog.setLevel(ch.qos.logback.classic.Level.INFO);
    ui = new UiTestCluster(dir.resolve("cluster"));
    users = dir.resolve("users");
    PasswordFile.put(users, "alice", PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS,
        new SecureRandom());
    CredentialsInit.create(dir.resolve("security"), List.of());
    credentials = ClusterCredentials.load(dir.resolve("security"));
  }

  @AfterEach
  void stopServers() {
    TestJobs.Blocking.RELEASE.countDown();
    apps.forEach(Javalin::stop);
    apps.clear();
    hubs.forEach(EventHub::close);
    hubs.clear();
  }

  @AfterAll
  void stop() {
    loginLog.detachAppender(logged);
    loginLog.setLevel(null);
    if (ui != null) {
      ui.close();
    }
  }

  /** A server as UiServer builds one (TokenGuard first, as ClusterHttp adds it, if secured). */
  String serve(UiLogin login, ClusterCredentials secured) {
    MonitoringSource source = new LocalClusterSource(ui.cluster);
    EventHub events = new EventHub(source);
    hubs.add(events);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      if (secured != null) {
        c.routes.before(ctx -> TokenGuard.check(ctx, secured, login));
      }
      new ApiRoutes(source, new PrometheusRegistry(), events, login).register(c.routes);
      // Stands for the master's own endpoints (ClusterHttp), which TokenGuard alone guards.
      c.routes.get("/api/cluster/probe", ctx -> ctx.result("the cluster's"));
      WebAssets.register(c.routes);
    });
    apps.add(app);
    app.start("127.0.0.1", 0);
    return "http://127.0.0.1:" + app.port();
  }

  UiLogin required() {
    return UiLogin.create(LoginSettings.defaults().withMode(LoginMode.REQUIRED)
        .withPasswordFile(users), null, true, clock);
  }

  HttpResponse<String> send(String base, String method, String path, String cookie,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> login(String base, String user, String password) throws Exception {
    String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return http.send(HttpRequest.newBuilder(URI.create(base + UiLogin.LOGIN))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", base)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code name=value} of the response's session cookie. */
  static String cookie(HttpResponse<String> r) {
    String set = r.headers().firstValue("Set-Cookie").orElseThrow(
        () -> new AssertionError("no Set-Cookie: " + r.headers()));
    return set.substring(0, set.indexOf(';'));
  }

  JobHandle runningJob(String name) throws Exception {
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    JobHandle h = ui.submit(TestJobs.blocking(dir, name));
    Await.until(Duration.ofSeconds(60), "job " + h.id() + " running",
        () -> h.status().state() == JobState.RUNNING);
    return h;
  }

  @Test
  void everyRouteAnswers401WithoutALoginAndChangesNothing() throws Exception {
    String base = serve(required(), null);
    JobHandle h = runningJob("not-killed");
    String id = h.id();
    String[][] routes = {
        {"GET", "/api/v1/cluster"}, {"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/" + id},
        {"GET", "/api/v1/jobs/" + id + "/tasks"}, {"GET", "/api/v1/workers/worker-1"},
        {"GET", "/api/v1/events"}, {"GET", "/api/v1/session"}, {"GET", "/metrics"},
        {"POST", "/api/v1/jobs/" + id + "/kill"}, {"GET", "/"}, {"GET", "/index.html"},
        {"GET", "/app.js"}, {"GET", "/pages/jobs.js"}, {"GET", "/login.html"},
        {"GET", "/no/such/page"}, {"DELETE", "/api/v1/jobs/" + id}};
    for (String cookie : new String[] {null, "quern_session_" + portOf(base) + "=made-up",
        "quern_session_1=x"}) {
      for (String[] r : routes) {
        HttpResponse<String> a = send(base, r[0], r[1], cookie);
        assertThat(a.statusCode()).as("%s %s with cookie %s", r[0], r[1], cookie).isEqualTo(401);
        assertThat(a.body()).contains("authentication required").contains("/login")
            .doesNotContain("not-killed");
      }
    }
    HttpResponse<String> page = send(base, "GET", "/", null, "Accept", "text/html");
    assertThat(page.statusCode()).as("a browser's page").isEqualTo(303);
    assertThat(page.headers().firstValue("Location")).hasValue("/login");
    assertThat(h.status().state()).as("the kill was refused").isEqualTo(JobState.RUNNING);
    // What the login page needs is open.
    for (String open : new String[] {"/login", "/style.css", "/favicon.svg"}) {
      assertThat(send(base, "GET", open, null).statusCode()).as(open).isEqualTo(200);
    }
    assertThat(send(base, "GET", "/login", null).body()).contains("<form").contains("password");
    // Not the UI's to close: workers and clients reach them with the token (TokenGuard's).
    assertThat(send(base, "GET", "/api/cluster/probe", null).body()).isEqualTo("the cluster's");
  }

  @Test
  void aUserOfThePasswordFileLogsInAndKillsAJob() throws Exception {
    String base = serve(required(), null);
    HttpResponse<String> wrongPassword = login(base, "alice", PASSWORD + "!");
    HttpResponse<String> wrongUser = login(base, "mallory", PASSWORD);
    for (HttpResponse<String> r : List.of(wrongPassword, wrongUser)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
      assertThat(r.body()).contains("Wrong user name, password or token.")
          .doesNotContain(PASSWORD).doesNotContain("mallory");
    }
    assertThat(wrongPassword.body()).as("no hint which part was wrong")
        .isEqualTo(wrongUser.body());

    HttpResponse<String> ok = login(base, "alice", PASSWORD);
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("Location")).hasValue("/");
    String set = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(set).startsWith("quern_session_")
        .contains("; Path=/").contains("; HttpOnly").contains("; SameSite=Strict")
        .doesNotContain("Secure").doesNotContain("Max-Age").doesNotContain("Expires");
    String cookie = cookie(ok);
    assertThat(ok.uri().toString()).doesNotContain(cookie.substring(cookie.indexOf('=') + 1));

    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode()).isEqualTo(200);
    assertThat(send(base, "GET", "/", cookie, "Accept", "text/html").statusCode()).isEqualTo(200);
    assertThat(send(base, "GET", "/api/v1/session", cookie).body())
        .isEqualTo("{\"login\":true,\"user\":\"alice\"}");

    JobHandle h = runningJob("killed-by-alice");
    HttpResponse<String> kill = send(base, "POST", "/api/v1/jobs/" + h.id() + "/kill", cookie);
    assertThat(kill.statusCode()).as(kill.body()).isEqualTo(202);
    assertThat(h.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.KILLED);
    assertThat(ui.get("/api/v1/jobs/" + h.id()).json().get("failure").asText())
        .contains("by user alice");
    String log = logText();
    assertThat(log).as("the log").contains("alice logged in to the web UI from 127.0.0.1")
        .contains("A failed login to the web UI from 127.0.0.1")
        .doesNotContain(PASSWORD).doesNotContain(cookie.substring(cookie.indexOf('=') + 1));
  }

  @Test
  void sessionsExpireWhenIdleAndAtTheirMaxAge() throws Exception {
    UiLogin login = UiLogin.create(new LoginSettings(LoginMode.REQUIRED, users,
        Duration.ofMinutes(10), Duration.ofMinutes(25)), null, true, clock);
    String base = serve(login, null);
    String cookie = cookie(login(base, "alice", PASSWORD));
    clock.advance(Duration.ofMinutes(9));
    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(1));
    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode())
        .as("idle 10 min: the cookie renewed at 9 min was not taken").isEqualTo(401);

    cookie = cookie(login(base, "alice", PASSWORD));
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMinutes(6));
      HttpResponse<String> r = send(base, "GET", "/api/v1/jobs", cookie);
      assertThat(r.statusCode()).as("after %d min, used every 6", 6 * (i + 1)).isEqualTo(200);
      cookie = cookie(r); // renewed: its last-seen time is now (a browser keeps the newest)
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode()).as("25 min old")
        .isEqualTo(401);
  }

  /**
   * A session is the signed cookie alone: another master of the same cluster (the same
   * credentials) takes it, as does this one after a restart; a master of another cluster
   * refuses it, and so does every master once it is tampered with.
   */
  @Test
  void aSessionIsGoodAtEveryMasterOfItsClusterAndNoOther() throws Exception {
    CredentialsInit.create(dir.resolve("other-security"), List.of());
    ClusterCredentials other = ClusterCredentials.load(dir.resolve("other-security"));
    String a = serve(UiLogin.create(LoginSettings.defaults(), credentials, true, clock),
        credentials);
    String b = serve(UiLogin.create(LoginSettings.defaults(), credentials, true, clock),
        credentials);
    String elsewhere = serve(UiLogin.create(LoginSettings.defaults(), other, true, clock), other);
    String cookie = cookie(login(a, "", credentials.clientToken()));
    assertThat(send(b, "GET", "/api/v1/session", cookie).body())
        .as("another master of the cluster").contains("\"user\":\"client-token\"");
    assertThat(send(b, "GET", "/api/v1/jobs", cookie).statusCode()).isEqualTo(200);
    String restarted = serve(UiLogin.create(LoginSettings.defaults(), credentials, true, clock),
        credentials);
    assertThat(send(restarted, "GET", "/api/v1/jobs", cookie).statusCode()).as("a restart")
        .isEqualTo(200);
    assertThat(send(elsewhere, "GET", "/api/v1/jobs", cookie).statusCode())
        .as("a master of another cluster").isEqualTo(401);
    String otherName = cookie(login(elsewhere, "", other.clientToken()));
    String renamed = otherName.substring(0, otherName.indexOf('=')) + cookie.substring(
        cookie.indexOf('='));
    assertThat(send(elsewhere, "GET", "/api/v1/jobs", renamed).statusCode())
        .as("the cookie under the other cluster's name").isEqualTo(401);
    String value = cookie.substring(cookie.indexOf('=') + 1);
    String payload = value.split("\\.")[1];
    String forged = new String(java.util.Base64.getUrlDecoder().decode(payload),
        java.nio.charset.StandardCharsets.UTF_8).replace("client-token", "admin");
    String tampered = cookie.substring(0, cookie.indexOf('=') + 1) + "v1."
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            forged.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + value.split("\\.")[2];
    assertThat(send(b, "GET", "/api/v1/jobs", tampered).statusCode()).as("tampered")
        .isEqualTo(401);
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    String base = serve(required(), null);
    String cookie = cookie(login(base, "alice", PASSWORD));
    String other = cookie(login(base, "alice", PASSWORD));
    HttpResponse<String> out = send(base, "POST", UiLogin.LOGOUT, cookie, "Origin", base);
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location")).hasValue("/login");
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0")
        .startsWith(cookie.substring(0, cookie.indexOf('=') + 1) + ";");
    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode()).isEqualTo(401);
    assertThat(send(base, "GET", "/api/v1/jobs", other).statusCode()).as("another session")
        .isEqualTo(200);
  }

  @Test
  void anAddressThatKeepsFailingMustWait() throws Exception {
    String base = serve(required(), null);
    for (int i = 0; i < 5; i++) {
      assertThat(login(base, "alice", "guess-" + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> locked = login(base, "alice", PASSWORD);
    assertThat(locked.statusCode()).as("even the right password is not checked").isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).hasValue("30");
    assertThat(locked.headers().firstValue("Set-Cookie")).isEmpty();
    clock.advance(Duration.ofSeconds(30));
    assertThat(login(base, "alice", PASSWORD).statusCode()).isEqualTo(303);
    assertThat(login(base, "alice", "wrong").statusCode()).as("a success clears the count")
        .isEqualTo(401);
  }

  @Test
  void aLoginFromAnotherSitesPageIsRefused() throws Exception {
    String base = serve(required(), null);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + UiLogin.LOGIN))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString("user=alice&password=x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void onLoopbackByDefaultNothingAsksForALogin() throws Exception {
    UiLogin login = UiLogin.create(LoginSettings.defaults(), null, true, clock);
    assertThat(login.required()).isFalse();
    String base = serve(login, null);
    assertThat(send(base, "GET", "/api/v1/jobs", null).statusCode()).isEqualTo(200);
    assertThat(send(base, "GET", "/", null, "Accept", "text/html").statusCode()).isEqualTo(200);
    JobHandle h = runningJob("killed-without-login");
    assertThat(send(base, "POST", "/api/v1/jobs/" + h.id() + "/kill", null).statusCode())
        .isEqualTo(202);
    assertThat(h.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.KILLED);
  }

  @Test
  void whenALoginIsRequired() {
    LoginSettings auto = LoginSettings.defaults().withPasswordFile(users);
    assertThat(UiLogin.create(auto, null, true, clock).required()).as("auto, loopback").isFalse();
    assertThat(UiLogin.create(auto, null, false, clock).required()).as("auto, non-loopback")
        .isTrue();
    assertThat(UiLogin.create(auto, credentials, true, clock).required()).as("secured")
        .isTrue();
    assertThat(UiLogin.create(auto.withMode(LoginMode.OFF), credentials, true, clock).required())
        .as("secured, off: the token is still wanted").isTrue();
    assertThat(UiLogin.create(auto.withMode(LoginMode.OFF), null, false, clock).required())
        .isFalse();
    assertThat(UiLogin.create(LoginSettings.defaults(), null, false, clock).required())
        .as("auto, non-loopback with nothing to log in with (unsafe-allow-private-bind)")
        .isFalse();
    assertThatThrownBy(() -> UiLogin.create(LoginSettings.defaults().withMode(
        LoginMode.REQUIRED), null, true, clock)).hasMessageContaining("quern.ui.login = required")
        .hasMessageContaining("quern.ui.password-file");
    assertThatThrownBy(() -> UiLogin.create(auto.withPasswordFile(dir.resolve("missing")), null,
        true, clock)).hasMessageContaining("missing").hasMessageContaining("no such file");
    assertThat(UiLogin.loopback("127.0.0.1")).isTrue();
    assertThat(UiLogin.loopback("localhost")).isTrue();
    assertThat(UiLogin.loopback("[::1]")).isTrue();
    assertThat(UiLogin.loopback("10.1.2.3")).isFalse();
    assertThat(UiLogin.loopback("0.0.0.0")).isFalse();
    assertThat(UiLogin.loopback("example.org")).isFalse();
  }

  @Test
  void theCookieIsSecureWhenTheRequestCameOverTls() {
    assertThat(SessionCookie.header(fakeCtx(true, 8443), "quern_session_k", "ID")).isEqualTo(
        "quern_session_k=ID; Path=/; HttpOnly; SameSite=Strict; Secure");
    assertThat(SessionCookie.header(fakeCtx(false, 8080), "quern_session_k", "ID")).isEqualTo(
        "quern_session_k=ID; Path=/; HttpOnly; SameSite=Strict");
  }

  /** A secured server: the token, or a session got with the token, and nothing else. */
  @Test
  void onASecuredServerTheTokenOrItsSessionLetsTheUiIn() throws Exception {
    UiLogin login = UiLogin.create(LoginSettings.defaults(), credentials, true, clock);
    String base = serve(login, credentials);
    String bearer = HttpAuth.bearer(credentials.clientToken());
    assertThat(send(base, "GET", "/api/v1/jobs", null).statusCode()).isEqualTo(401);
    assertThat(send(base, "GET", "/api/v1/jobs", null, "Authorization", bearer).statusCode())
        .isEqualTo(200);
    HttpResponse<String> wrong = login(base, "", credentials.clientToken() + "x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain(credentials.clientToken());
    assertThat(login(base, "alice", PASSWORD).statusCode()).as("no password file here")
        .isEqualTo(401);
    HttpResponse<String> ok = login(base, "", credentials.clientToken());
    assertThat(ok.statusCode()).isEqualTo(303);
    String cookie = cookie(ok);
    assertThat(send(base, "GET", "/api/v1/jobs", cookie).statusCode()).isEqualTo(200);
    assertThat(send(base, "GET", "/api/v1/session", cookie).body()).contains("client-token");
    assertThat(send(base, "GET", "/api/cluster/probe", cookie).statusCode())
        .as("the cluster's own endpoints want the token").isEqualTo(401);
    assertThat(send(base, "POST", "/api/cluster/jobs", cookie).statusCode()).isEqualTo(401);
    JobHandle h = runningJob("killed-with-token-session");
    HttpResponse<String> kill = send(base, "POST", "/api/v1/jobs/" + h.id() + "/kill", cookie);
    assertThat(kill.statusCode()).as(kill.body()).isEqualTo(202);
    assertThat(h.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.KILLED);
    assertThat(logText()).as("the log").contains("client-token logged in to the web UI")
        .doesNotContain(credentials.clientToken())
        .doesNotContain(cookie.substring(cookie.indexOf('=') + 1));
  }

  static int portOf(String base) {
    return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
  }

  /** A request context that answers only what the cookie needs: TLS or not, the local port. */
  static Context fakeCtx(boolean secure, int port) {
    HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(
        UiLoginTest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
        (p, m, a) -> switch (m.getName()) {
          case "isSecure" -> secure;
          case "getLocalPort" -> port;
          default -> throw new UnsupportedOperationException(m.getName());
        });
    return (Context) Proxy.newProxyInstance(UiLoginTest.class.getClassLoader(),
        new Class<?>[] {Context.class}, (p, m, a) -> {
          if (m.getName().equals("req")) {
            return req;
          }
          throw new UnsupportedOperationException(m.getName());
        });
  }
}
