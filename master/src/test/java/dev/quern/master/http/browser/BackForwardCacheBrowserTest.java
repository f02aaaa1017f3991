package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.http.TestJobs;
import dev.quern.master.http.UiTestCluster;
import dev.quern.testkit.Await;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The app in Chromium with its back/forward cache on, as users run it. A page the user left stays
 * in that cache; had it kept its event stream open, six such pages (Chromium's connections per
 * host) made the next page load wait ~50 s. A left page lets its stream go and, brought back,
 * opens it again.
 */
class BackForwardCacheBrowserTest {
  /** Far below the ~50 s a held-up page load waited, far above a loaded machine's page load. */
  private static final Duration PAGE = Duration.ofSeconds(20);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path dir;
  private UiTestCluster ui;
  private Browser browser;

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, LocalUiBrowser.SHOTS);

  @AfterEach
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
  void leftPagesLetTheirStreamGoAndAPageBroughtBackIsLiveAgain() throws Exception {
    ui = new UiTestCluster(dir);
    browser = new Browser(LocalUiBrowser.SHOTS, List.of(), true);
    browser.driver.manage().timeouts().pageLoadTimeout(PAGE);
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    JobHandle h = ui.submit(TestJobs.blocking(dir, "bfcache-job"));
    Await.until(JOB_TIMEOUT, h.id() + " running", () -> h.status().state() == JobState.RUNNING);
    String job = "#/jobs/" + h.id();
    String running = ".job[data-state='RUNNING']";
    List<String[]> pages = List.of(
        new String[] {"#/", ".cards"},
        new String[] {"#/jobs", ".jobs-table tr[data-job='" + h.id() + "']"},
        new String[] {job, running},
        new String[] {"#/workers", ".workers"},
        new String[] {"#/masters", ".masters"});

    // Each visit is a new document (a new query), so the one before goes into the cache.
    for (int i = 0; i < 12; i++) {
      String[] page = pages.get(i % pages.size());
      visit("/?visit=" + i + page[0], page[1]);
    }

    visit("/?visit=back" + job, running);
    // Marks this document, and counts the event streams it opens from now on.
    browser.js("window.__fromCache = 'yes'; window.__streams = 0;"
        + " const Original = window.EventSource;"
        + " window.EventSource = class extends Original {"
        + "   constructor(...a) { super(...a); window.__streams++; } };");
    visit("/?visit=away#/masters", ".masters");
    browser.driver.navigate().back();
    awaitPage(job, running);
    assertThat(browser.js("return window.__fromCache;"))
        .as("the job page came back from the back/forward cache, not loaded anew")
        .isEqualTo("yes");
    new WebDriverWait(browser.driver, PAGE, Browser.POLL)
        .withMessage("the page brought back opening its event stream again within " + PAGE)
        .until(d -> ((Number) browser.js("return window.__streams;")).intValue() > 0);
    awaitShown("the restored page's event stream connected",
        By.cssSelector("#connection[data-status='live']"));

    TestJobs.Blocking.RELEASE.countDown();
    JobStatus s = h.awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).as("%s within %s: %s", h.id(), JOB_TIMEOUT, s.failure())
        .isEqualTo(JobState.SUCCEEDED);
    awaitShown("the restored page showing the job succeeded",
        By.cssSelector(".job[data-state='SUCCEEDED']"));
    browser.screenshot("bfcache-back-succeeded");
  }

  /** Loads a new document at {@code path} and waits, within {@link #PAGE}, for its content. */
  private void visit(String path, String content) {
    browser.driver.get(ui.url(path));
    awaitPage(path.substring(path.indexOf('#')), content);
  }

  private void awaitPage(String hash, String content) {
    new WebDriverWait(browser.driver, PAGE, Browser.POLL)
        .withMessage("the page " + hash + " drawn with " + content + " within " + PAGE)
        .until(d -> Boolean.TRUE.equals(browser.js(
            "const m = document.getElementById('page');"
                + " return m !== null && m.dataset.rendered === arguments[0]"
                + " && document.querySelector(arguments[1]) !== null;", hash, content)));
  }

  private void awaitShown(String what, By by) {
    new WebDriverWait(browser.driver, PAGE, Browser.POLL).withMessage(what + " within " + PAGE)
        .until(d -> !d.findElements(by).isEmpty());
  }
}
