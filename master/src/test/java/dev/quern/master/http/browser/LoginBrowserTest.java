package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.http.TestJobs;
import dev.quern.master.http.UiTestCluster;
import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/**
 * The login in real headless Chromium: a local UI that requires a login ({@code
 * -Dquern.ui.login=required}, {@code -Dquern.ui.password-file}, as {@code QUERN_JAVA_OPTS} would
 * give them) sends the browser to the login page, a user of the password file logs in, sees the
 * job list and kills a running job, and the JSON API (with the browser's session cookie) says the
 * job ended KILLED.
 */
class LoginBrowserTest {
  private static final Path SHOTS = LocalUiBrowser.SHOTS;
  private static final String PASSWORD = "a long Passphrase 4 the UI";
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private LocalUiBrowser local;
  private UiTestCluster ui;
  private Browser browser;

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, SHOTS);

  @AfterEach
  void stop() {
    TestJobs.Blocking.RELEASE.countDown();
    if (local != null) {
      local.close();
    }
  }

  /** The base URL of the UI: the one place that says how to reach it. */
  private String base() {
    return ui.url("");
  }

  @Test
  void aUserLogsInSeesTheJobsAndKillsOne() throws Exception {
    Path users = dir.resolve("ui-users");
    PasswordFile.put(users, "operator", PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS,
        new SecureRandom());
    local = LocalUiBrowser.start(dir, Map.of("quern.ui.login", "required",
        "quern.ui.password-file", users.toString()));
    ui = local.ui;
    browser = local.browser;
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    JobHandle h = ui.submit(TestJobs.blocking(dir, "long-job"));

    browser.driver.get(base() + "/#/jobs");
    browser.awaitVisible("the login form", By.id("login-form"));
    assertThat(URI.create(browser.driver.getCurrentUrl()).getPath()).isEqualTo("/login");
    browser.screenshot("login");

    browser.driver.findElement(By.id("user")).sendKeys("operator");
    browser.driver.findElement(By.id("password")).sendKeys("not " + PASSWORD);
    browser.click(By.id("login-submit"));
    assertThat(browser.awaitVisible("the refusal", By.id("login-error")).getText())
        .isEqualTo("Wrong user name, password or token.");
    assertThat(browser.driver.getCurrentUrl()).doesNotContain("operator").doesNotContain("not");
    browser.screenshot("login-refused");

    browser.driver.findElement(By.id("user")).clear();
    browser.driver.findElement(By.id("user")).sendKeys("operator");
    browser.driver.findElement(By.id("password")).sendKeys(PASSWORD);
    browser.click(By.id("login-submit"));
    browser.awaitVisible("the app after the login", By.id("page"));
    assertThat(URI.create(browser.driver.getCurrentUrl()).getPath()).isEqualTo("/");
    assertThat(browser.driver.getCurrentUrl()).doesNotContain(PASSWORD);

    browser.open(base() + "/#/jobs");
    browser.awaitVisible("the job in the list",
        By.cssSelector(".jobs-table tr[data-job='" + h.id() + "']"));
    assertThat(browser.awaitVisible("who is logged in", By.id("session-user")).getText())
        .isEqualTo("operator");
    browser.screenshot("login-jobs");

    browser.open(base() + "/#/jobs/" + h.id());
    browser.awaitVisible("a running attempt in the timeline",
        By.cssSelector("svg#timeline rect.bar[data-state='RUNNING']"));
    browser.awaitVisible("the kill button", By.id("kill"));
    browser.click(By.id("kill"));
    browser.awaitVisible("the confirmation", By.id("kill-confirm"));
    browser.click(By.id("kill-yes"));
    browser.awaitVisible("the job shown killed", By.cssSelector(".job[data-state='KILLED']"));
    browser.screenshot("login-killed");
    JobStatus s = h.awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).isEqualTo(JobState.KILLED);

    // The JSON API, with the browser's own session (its cookie is HttpOnly: no script sees it).
    Cookie session = browser.driver.manage().getCookies().stream()
        .filter(c -> c.getName().startsWith("quern_session_")).findFirst().orElse(null);
    assertThat(session).as("the session cookie").isNotNull();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat(browser.js("return document.cookie;")).isEqualTo("");
    HttpResponse<String> job = get("/api/v1/jobs/" + h.id(),
        session.getName() + "=" + session.getValue());
    assertThat(job.statusCode()).isEqualTo(200);
    JsonNode doc = new ObjectMapper().readTree(job.body());
    assertThat(doc.get("state").asText()).isEqualTo("KILLED");
    assertThat(doc.get("failure").asText()).contains("by user operator");
    assertThat(get("/api/v1/jobs/" + h.id(), null).statusCode()).as("no session")
        .isEqualTo(401);

    browser.click(By.id("logout"));
    browser.awaitVisible("the login form after logout", By.id("login-form"));
    assertThat(get("/api/v1/jobs/" + h.id(), session.getName() + "=" + session.getValue())
        .statusCode()).as("the session ended").isEqualTo(401);
    List<String> errors = browser.consoleErrors().stream()
        .filter(e -> !(e.contains("/login") && e.contains("401"))).toList();
    assertThat(errors).as("console errors but the refused login").isEmpty();
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
        .timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
