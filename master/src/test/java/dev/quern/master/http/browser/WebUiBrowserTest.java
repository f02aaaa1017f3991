package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.TaskState;
import dev.quern.master.http.TestJobs;
import dev.quern.master.http.UiServer;
import dev.quern.master.http.UiTestCluster;
import dev.quern.testkit.Await;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The browser app in real headless Chromium against a local cluster running real jobs. Every page
 * leaves a screenshot in {@code target/screenshots/}; a failing test leaves {@code
 * failed-<test>.png} there and names it in its failure. Each test submits the jobs it looks at, so
 * they pass in any order; the cluster is shared, so what a test counts it reads from the API at
 * the same moment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebUiBrowserTest {
  private static final Path SHOTS = LocalUiBrowser.SHOTS;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  private LocalUiBrowser local;
  private UiTestCluster ui;
  private Browser browser;
  /** Console errors the running test causes on purpose, each exactly as Chromium logs it. */
  private final Set<String> expectedConsoleErrors = new HashSet<>();

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, SHOTS);

  @BeforeAll
  void start() {
    local = LocalUiBrowser.start(dir, Map.of());
    ui = local.ui;
    browser = local.browser;
  }

  @AfterEach
  void noConsoleErrors() {
    if (browser == null) {
      return; // the class failed to start; that failure says why
    }
    List<String> errors = new ArrayList<>(browser.consoleErrors());
    // Exactly these messages, as often as they come (the app may ask twice: on opening the
    // page and when the event stream connects); any other error fails.
    errors.removeIf(expectedConsoleErrors::contains);
    expectedConsoleErrors.clear();
    assertThat(errors).as("browser console errors").isEmpty();
  }

  @AfterAll
  void stop() {
    TestJobs.Blocking.RELEASE.countDown();
    if (local != null) {
      local.close();
    }
  }

  @Test
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
    assertSucceeded(h);
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
  void jobPageShowsCountersABarPerAttemptAndTheTaskTable() throws Exception {
    JobStatus s = assertSucceeded(ui.submit(TestJobs.wordCount(dir, "wordcount-ui", 4, 7L)));
    browser.open(ui.url("/#/jobs/" + s.id()));
    browser.awaitVisible("the job header", By.cssSelector(".job[data-state='SUCCEEDED']"));

    JsonNode tasks = ui.get("/api/v1/jobs/" + s.id() + "/tasks").json();
    int attempts = 0;
    for (JsonNode t : tasks) {
      attempts += t.get("attempts").size();
    }
    assertThat(attempts).as("4 maps and 2 reduces, one attempt each").isEqualTo(6);
    assertThat(browser.count(By.cssSelector("svg#timeline rect.bar"))).isEqualTo(attempts);
    for (JsonNode t : tasks) {
      for (JsonNode a : t.get("attempts")) {
        assertThat(browser.count(By.cssSelector(
            "svg#timeline rect.bar[data-attempt='" + a.get("id").asText() + "']"))).isEqualTo(1);
      }
    }

    long mapInput = s.counters().get(TaskCounter.MAP_INPUT_RECORDS);
    assertThat(browser.text(By.cssSelector("#counters tr[data-counter='MAP_INPUT_RECORDS'] td")))
        .isEqualTo(String.format(Locale.US, "%,d", mapInput));
    assertThat(browser.text(By.id("counters"))).contains("OUTPUT_RECORDS")
        .contains("quern (built-in)");

    assertThat(browser.count(By.cssSelector("#tasks tr[data-attempt]"))).isEqualTo(attempts);
    assertThat(browser.text(By.id("tasks")))
        .contains("m-00000").contains("r-00001").contains("SUCCEEDED").contains("worker-")
        .contains("Out records").contains("Out bytes");
    // The first map attempt's output records, as the API reports them, in its row.
    JsonNode m0 = tasks.get(0).get("attempts").get(0);
    assertThat(browser.text(By.cssSelector("#tasks tr[data-attempt='" + m0.get("id").asText()
        + "']"))).contains(String.format(Locale.US, "%,d",
        m0.get("outputRecords").asLong()));
    assertThat(browser.text(By.cssSelector(".job-header")))
        .contains("wordcount-ui").contains("SUCCEEDED").contains("Duration");
    browser.screenshot("job");
  }

  @Test
  void failedJobShowsItsReasonAndStackTrace() throws Exception {
    JobStatus s = ui.submit(TestJobs.failing(dir, "failing-ui")).awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).as("%s within %s", s.id(), JOB_TIMEOUT).isEqualTo(JobState.FAILED);
    browser.open(ui.url("/#/jobs/" + s.id()));
    WebElement failure = browser.awaitVisible("the failure section", By.id("failure"));
    assertThat(failure.getText()).contains(TestJobs.Exploding.MESSAGE).contains("Failure");
    assertThat(browser.text(By.cssSelector(".job-header .badge")))
        .isEqualTo("FAILED");
    assertThat(browser.count(By.id("kill"))).as("no kill button").isZero();
    browser.screenshot("job-failed");
  }

  @Test
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
      JobStatus s = h.awaitCompletion(JOB_TIMEOUT);
      assertThat(s.state()).as("%s within %s", h.id(), JOB_TIMEOUT).isEqualTo(JobState.KILLED);
      assertThat(ui.get("/api/v1/jobs/" + h.id()).json().get("state").asText())
          .isEqualTo("KILLED");
      assertThat(browser.count(By.id("kill"))).isZero();
      browser.screenshot("job-killed");
    } finally {
      TestJobs.Blocking.RELEASE.countDown();
    }
  }

  @Test
  void jobsTableFiltersByStateAndSorts() throws Exception {
    JobStatus ok = assertSucceeded(ui.submit(TestJobs.wordCount(dir, "sortable-ok", 1, 11L)));
    JobStatus bad = ui.submit(TestJobs.failing(dir, "Sortable-bad")).awaitCompletion(JOB_TIMEOUT);
    assertThat(bad.state()).as("%s within %s", bad.id(), JOB_TIMEOUT).isEqualTo(JobState.FAILED);

    browser.open(ui.url("/#/jobs"));
    browser.awaitVisible("the jobs table", By.id("jobs-table"));
    JsonNode jobs = ui.get("/api/v1/jobs").json();
    int all = jobs.size();
    int failed = 0;
    for (JsonNode j : jobs) {
      failed += j.get("state").asText().equals("FAILED") ? 1 : 0;
    }
    assertThat(browser.count(By.cssSelector("#jobs-table tbody tr[data-job]"))).isEqualTo(all);
    browser.click(By.cssSelector("button[data-filter='FAILED']"));
    int failedRows = failed;
    browser.await("only the " + failed + " failed jobs", d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#jobs-table tbody tr[data-job]"));
      return rows.size() == failedRows && rows.stream().allMatch(r ->
          "FAILED".equals(r.getAttribute("data-state")));
    });
    assertThat(browser.count(By.cssSelector("#jobs-table tbody tr[data-job='" + bad.id()
        + "']"))).isEqualTo(1);
    browser.click(By.cssSelector("button[data-filter='ALL']"));
    browser.click(By.cssSelector("th[data-sort='name']"));
    List<String> names = browser.await("rows sorted by name", d -> {
      List<String> n = d.findElements(By.cssSelector("#jobs-table tbody tr[data-job] td:nth-child(3)"))
          .stream().map(WebElement::getText).toList();
      return n.size() == all && n.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList().equals(n)
          ? n : null;
    });
    // Case is ignored: "Sortable-bad" sorts before "sortable-ok".
    assertThat(names).containsSubsequence("Sortable-bad", "sortable-ok");
    browser.screenshot("jobs");
  }

  @Test
  void anUnknownJobShowsNotFound() {
    browser.open(ui.url("/#/jobs/job-9999"));
    assertThat(browser.awaitVisible("the not-found page", By.cssSelector(".error-box")).getText())
        .contains("Not found").contains("no job 'job-9999'");
    // The page asks for the job and its tasks; Chromium logs each 404 answer, as it should.
    for (String path : List.of("/api/v1/jobs/job-9999", "/api/v1/jobs/job-9999/tasks")) {
      expectedConsoleErrors.add(ui.url(path)
          + " - Failed to load resource: the server responded with a status of 404 (Not Found)");
    }
    browser.screenshot("job-not-found");
  }

  @Test
  void workerPageShowsItsSlotsAndAttempts() throws Exception {
    assertSucceeded(ui.submit(TestJobs.wordCount(dir, "wordcount-worker", 2, 13L)));
    String worker = null;
    int ran = 0;
    for (JsonNode w : ui.get("/api/v1/cluster").json().get("workers")) {
      if (w.get("tasksRun").asInt() > 0) {
        worker = w.get("id").asText();
        ran = ui.get("/api/v1/workers/" + worker).json().get("attempts").size();
        break;
      }
    }
    assertThat(worker).as("a worker that ran an attempt").isNotNull();
    assertThat(ran).isPositive();
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
  void historyServerShowsPastJobsWithTheSamePages() throws Exception {
    String id = assertSucceeded(ui.submit(TestJobs.wordCount(dir, "wordcount-history", 2, 17L)))
        .id();
    // Every job this cluster ran has ended (each test waits for its jobs); once each is saved,
    // the history holds exactly them.
    List<String> ended = new ArrayList<>();
    ui.get("/api/v1/jobs").json().forEach(j -> ended.add(j.get("id").asText()));
    Await.until(JOB_TIMEOUT, "the history files of " + ended, () -> ended.stream()
        .allMatch(j -> Files.exists(ui.history.resolve(j + ".json"))));
    try (UiServer past = UiServer.startHistory(ui.history, 0)) {
      browser.open(past.url() + "#/jobs/" + id);
      browser.awaitVisible("the saved job", By.cssSelector(".job[data-state='SUCCEEDED']"));
      int attempts = 0;
      for (JsonNode t : ui.get("/api/v1/jobs/" + id + "/tasks").json()) {
        attempts += t.get("attempts").size();
      }
      assertThat(attempts).as("2 maps and 2 reduces, one attempt each").isEqualTo(4);
      assertThat(browser.count(By.cssSelector("svg#timeline rect.bar"))).isEqualTo(attempts);
      browser.open(past.url() + "#/");
      browser.awaitVisible("the history overview", By.cssSelector(".overview .tag"));
      browser.awaitVisible("the history marker",
          By.cssSelector("#connection[data-status='history']"));
      assertThat(browser.count(By.cssSelector(".jobs-table tr[data-job]")))
          .isEqualTo(ended.size());
      browser.screenshot("history-overview");
    }
  }

  /**
   * Every state the master reports is written out on its badge and has a colour of its own: the
   * page's {@code stateBadge} as the master serves it, styled by the served stylesheet.
   */
  @Test
  void everyStateBadgeSaysItsStateAndHasAColour() {
    browser.open(ui.url("/#/"));
    TreeSet<String> states = new TreeSet<>();
    Stream.of(JobState.values(), TaskState.values(), AttemptState.values())
        .flatMap(Arrays::stream).forEach(s -> states.add(s.name()));
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) browser.driver.executeAsyncScript("""
        const [states, done] = arguments;
        import('/format.js').then((format) => {
          const out = {};
          for (const state of states) {
            const badge = format.stateBadge(state);
            document.body.append(badge);
            // The style rules that colour this badge because of its state, not all badges
            // (a shorthand with var() leaves the longhand empty in the CSSOM, hence both).
            const rules = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
              .filter((r) => r.selectorText && r.selectorText.includes('.state-')
                && (r.style.getPropertyValue('background')
                  || r.style.getPropertyValue('background-color'))
                && badge.matches(r.selectorText))
              .map((r) => r.selectorText);
            out[state] = { text: badge.textContent, data: badge.dataset.state,
              visible: badge.offsetWidth > 0, rules };
            badge.remove();
          }
          done(out);
        }, (e) => done({ error: String(e) }));
        """, new ArrayList<>(states));
    assertThat(result).doesNotContainKey("error");
    assertThat(result.keySet()).isEqualTo(states);
    for (String state : states) {
      @SuppressWarnings("unchecked")
      Map<String, Object> badge = (Map<String, Object>) result.get(state);
      assertThat(badge.get("text")).as("text of the %s badge", state).isEqualTo(state);
      assertThat(badge.get("data")).as("data-state of the %s badge", state).isEqualTo(state);
      assertThat(badge.get("visible")).as("the %s badge is shown", state).isEqualTo(true);
      assertThat((List<?>) badge.get("rules")).as("style rules colouring the %s badge", state)
          .isNotEmpty();
    }
  }

  private JobStatus assertSucceeded(JobHandle h) throws InterruptedException {
    JobStatus s = h.awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).as("%s within %s: %s", h.id(), JOB_TIMEOUT, s.failure())
        .isEqualTo(JobState.SUCCEEDED);
    return s;
  }

  private void awaitLive() {
    browser.awaitVisible("the event stream connected",
        By.cssSelector("#connection[data-status='live']"));
  }
}
