package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.http.TestJobs;
import dev.quern.master.http.UiServer;
import dev.quern.master.http.UiTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The browser app in real headless Chromium against a local cluster running real jobs. Every page
 * leaves a screenshot in {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  private UiTestCluster ui;
  private Browser browser;

  @BeforeAll
  void start() {
    ui = new UiTestCluster(dir);
    browser = new Browser(SHOTS);
  }

  @AfterEach
  void noConsoleErrors() {
    assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
  }

  @AfterAll
  void stop() {
    TestJobs.Blocking.RELEASE.countDown();
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (ui != null) {
        ui.close();
      }
    }
  }

  @Test
  @Order(1)
  void overviewShowsAJobAppearRunAndSucceedWithoutAReload() throws Exception {
    browser.open(ui.url("/#/"));
    awaitLive();
    browser.js("window.__sameDocument = 'yes';");
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    JobHandle h;
    try {
      h = ui.submit(TestJobs.blocking(dir, "watched-job"));
      WebElement running = browser.awaitVisible("the job in the running list",
          By.cssSelector(".running-job[data-job='" + h.id() + "'][data-state='RUNNING']"));
      assertThat(running.getText()).contains("watched-job").contains("RUNNING").contains("map");
      assertThat(running.findElements(By.cssSelector("[role=progressbar]"))).hasSize(2);
      browser.screenshot("overview-running");
    } finally {
      TestJobs.Blocking.RELEASE.countDown();
    }
    assertThat(h.awaitCompletion(JOB_TIMEOUT).state()).isEqualTo(JobState.SUCCEEDED);
    WebElement row = browser.awaitVisible("the job listed as succeeded",
        By.cssSelector(".jobs-table tr[data-job='" + h.id() + "'][data-state='SUCCEEDED']"));
    assertThat(row.getText()).contains("SUCCEEDED").contains("watched-job");
    assertThat(browser.js("return window.__sameDocument;")).as("no reload").isEqualTo("yes");
    assertThat(browser.count(By.cssSelector(".running-job[data-job='" + h.id()
        + "']"))).isZero();
    assertThat(browser.text(By.cssSelector(".cards")))
        .containsIgnoringCase("Workers").containsIgnoringCase("Slots in use").contains("leader");
    browser.screenshot("overview");
  }

  @Test
  @Order(2)
  void jobPageShowsCountersABarPerAttemptAndTheTaskTable() throws Exception {
    JobStatus s = ui.submit(TestJobs.wordCount(dir, "wordcount-ui", 4, 7L))
        .awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).isEqualTo(JobState.SUCCEEDED);
    browser.open(ui.url("/#/jobs/" + s.id()));
    browser.awaitVisible("the job header", By.cssSelector(".job[data-state='SUCCEEDED']"));

    JsonNode tasks = ui.get("/api/v1/jobs/" + s.id() + "/tasks").json();
    int attempts = 0;
    for (JsonNode t : tasks) {
      attempts += t.get("attempts").size();
    }
    assertThat(attempts).isGreaterThanOrEqualTo(6);
    assertThat(browser.count(By.cssSelector("svg#timeline rect.bar"))).isEqualTo(attempts);
    for (JsonNode t : tasks) {
      for (JsonNode a : t.get("attempts")) {
        assertThat(browser.count(By.cssSelector(
            "svg#timeline rect.bar[data-attempt='" + a.get("id").asText() + "']"))).isEqualTo(1);
      }
    }

    long mapInput = s.counters().get(dev.quern.api.TaskCounter.MAP_INPUT_RECORDS);
    assertThat(browser.text(By.cssSelector("#counters tr[data-counter='MAP_INPUT_RECORDS'] td")))
        .isEqualTo(String.format(java.util.Locale.US, "%,d", mapInput));
    assertThat(browser.text(By.id("counters"))).contains("OUTPUT_RECORDS")
        .contains("quern (built-in)");

    assertThat(browser.count(By.cssSelector("#tasks tr[data-attempt]"))).isEqualTo(attempts);
    assertThat(browser.text(By.id("tasks")))
        .contains("m-00000").contains("r-00001").contains("SUCCEEDED").contains("worker-")
        .contains("Out records").contains("Out bytes");
    // The first map attempt's output records, as the API reports them, in its row.
    JsonNode m0 = tasks.get(0).get("attempts").get(0);
    assertThat(browser.text(By.cssSelector("#tasks tr[data-attempt='" + m0.get("id").asText()
        + "']"))).contains(String.format(java.util.Locale.US, "%,d",
        m0.get("outputRecords").asLong()));
    assertThat(browser.text(By.cssSelector(".job-header")))
        .contains("wordcount-ui").contains("SUCCEEDED").contains("Duration");
    browser.screenshot("job");
  }

  @Test
  @Order(3)
  void failedJobShowsItsReasonAndStackTrace() throws Exception {
    JobStatus s = ui.submit(TestJobs.failing(dir, "failing-ui")).awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    browser.open(ui.url("/#/jobs/" + s.id()));
    WebElement failure = browser.awaitVisible("the failure section", By.id("failure"));
    assertThat(failure.getText()).contains(TestJobs.Exploding.MESSAGE).contains("Failure");
    assertThat(browser.text(By.cssSelector(".job-header .badge")))
        .isEqualTo("FAILED");
    assertThat(browser.count(By.id("kill"))).as("no kill button").isZero();
    browser.screenshot("job-failed");
  }

  @Test
  @Order(4)
  void killButtonKillsARunningJobAfterConfirmation() throws Exception {
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    try {
      JobHandle h = ui.submit(TestJobs.blocking(dir, "doomed-job"));
      browser.open(ui.url("/#/jobs/" + h.id()));
      awaitLive();
      browser.awaitVisible("a running attempt in the timeline",
          By.cssSelector("svg#timeline rect.bar[data-state='RUNNING']"));
      browser.awaitVisible("the kill button", By.id("kill"));
      // A live refresh may replace the button between finding and clicking it.
      browser.click(By.id("kill"));
      browser.awaitVisible("the confirmation", By.id("kill-confirm"));
      browser.screenshot("job-kill-confirm");
      assertThat(h.status().state()).as("nothing killed before confirming")
          .isEqualTo(JobState.RUNNING);
      browser.click(By.id("kill-yes"));
      browser.awaitVisible("the job shown killed", By.cssSelector(".job[data-state='KILLED']"));
      assertThat(h.awaitCompletion(JOB_TIMEOUT).state()).isEqualTo(JobState.KILLED);
      assertThat(ui.get("/api/v1/jobs/" + h.id()).json().get("state").asText())
          .isEqualTo("KILLED");
      assertThat(browser.count(By.id("kill"))).isZero();
      browser.screenshot("job-killed");
    } finally {
      TestJobs.Blocking.RELEASE.countDown();
    }
  }

  @Test
  @Order(5)
  void jobsTableFiltersByStateAndSorts() {
    browser.open(ui.url("/#/jobs"));
    browser.awaitVisible("the jobs table", By.id("jobs-table"));
    int all = ui.get("/api/v1/jobs").json().size();
    assertThat(browser.count(By.cssSelector("#jobs-table tbody tr[data-job]"))).isEqualTo(all);
    browser.click(By.cssSelector("button[data-filter='FAILED']"));
    browser.await("only failed jobs", d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#jobs-table tbody tr[data-job]"));
      return !rows.isEmpty() && rows.stream().allMatch(r ->
          "FAILED".equals(r.getAttribute("data-state")));
    });
    browser.click(By.cssSelector("button[data-filter='ALL']"));
    browser.click(By.cssSelector("th[data-sort='name']"));
    List<String> names = browser.await("rows sorted by name", d -> {
      List<String> n = d.findElements(By.cssSelector("#jobs-table tbody tr[data-job] td:nth-child(3)"))
          .stream().map(WebElement::getText).toList();
      return n.size() == all && n.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList().equals(n)
          ? n : null;
    });
    assertThat(names).contains("wordcount-ui", "failing-ui", "doomed-job");
    browser.screenshot("jobs");

    browser.open(ui.url("/#/jobs/job-9999"));
    assertThat(browser.awaitVisible("the not-found page", By.cssSelector(".error-box")).getText())
        .contains("Not found").contains("no job 'job-9999'");
    browser.consoleErrors(); // the 404 answer itself is logged by Chromium, as it should be
  }

  @Test
  @Order(6)
  void workerPageShowsItsSlotsAndAttempts() {
    String worker = ui.get("/api/v1/cluster").json().get("workers").get(0).get("id").asText();
    int ran = ui.get("/api/v1/workers/" + worker).json().get("attempts").size();
    browser.open(ui.url("/#/workers/" + worker));
    browser.awaitVisible("the worker's attempts", By.id("worker-attempts"));
    assertThat(browser.count(By.cssSelector("#worker-attempts tbody tr"))).isEqualTo(ran);
    assertThat(browser.count(By.cssSelector("svg#timeline rect.bar"))).isEqualTo(ran);
    assertThat(browser.text(By.cssSelector(".worker")))
        .contains("Worker " + worker).contains("Slots").contains("Last heartbeat")
        .contains("Out records");
    browser.screenshot("worker");
  }

  @Test
  @Order(7)
  void historyServerShowsPastJobsWithTheSamePages() throws Exception {
    String id = ui.get("/api/v1/jobs?state=SUCCEEDED").json().get(0).get("id").asText();
    Path file = ui.history.resolve(id + ".json");
    browser.await("history file of " + id, d -> java.nio.file.Files.exists(file) ? true : null);
    try (UiServer past = UiServer.startHistory(ui.history, 0)) {
      browser.open(past.url() + "#/jobs/" + id);
      browser.awaitVisible("the saved job", By.cssSelector(".job[data-state='SUCCEEDED']"));
      assertThat(browser.count(By.cssSelector("svg#timeline rect.bar"))).isPositive();
      browser.open(past.url() + "#/");
      browser.awaitVisible("the history overview", By.cssSelector(".overview .tag"));
      browser.awaitVisible("the history marker",
          By.cssSelector("#connection[data-status='history']"));
      assertThat(browser.count(By.cssSelector(".jobs-table tr[data-job]")))
          .isEqualTo(ui.get("/api/v1/jobs").json().size());
      browser.screenshot("history-overview");
    }
  }

  private void awaitLive() {
    browser.awaitVisible("the event stream connected",
        By.cssSelector("#connection[data-status='live']"));
  }
}
