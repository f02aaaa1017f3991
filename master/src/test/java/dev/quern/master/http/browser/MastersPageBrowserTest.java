package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.cluster.InProcessMasters;
import dev.quern.master.cluster.MasterProcess;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The masters page in headless Chromium on three real masters (one JVM), opened on a follower:
 * a row per master with its role, and after the leader stops, its row says it does not answer and
 * the leader history of the others says the next leader took over by transfer.
 */
@Timeout(300)
class MastersPageBrowserTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;
  private final InProcessMasters group = new InProcessMasters();
  private Browser browser;

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, SHOTS);

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
        browser.close();
      }
    } finally {
      group.close();
    }
  }

  @Test
  void theMastersPageShowsEveryMasterAndTheHandoff() {
    group.start(tmp);
    String leader = group.awaitLeader(BOUND);
    String follower = group.masters.keySet().stream().filter(m -> !m.equals(leader))
        .findFirst().orElseThrow();
    browser = new Browser(SHOTS);
    browser.open("http://" + group.httpOf.get(follower) + "/#/masters");
    for (String m : List.of("m1", "m2", "m3")) {
      browser.awaitVisible("the row of " + m, By.cssSelector("#masters tr[data-master='" + m
          + "'][data-role='" + (m.equals(leader) ? "LEADER" : "FOLLOWER") + "']"));
    }
    assertThat(browser.text(By.cssSelector("#masters tr[data-master='" + leader + "']")))
        .contains("LEADER");
    assertThat(browser.text(By.cssSelector("section[data-history='" + follower + "']")))
        .contains(leader).contains("elected");
    browser.screenshot("masters");

    MasterProcess stopping = group.masters.remove(leader);
    stopping.close();
    // The page refreshes on its tick: the stopped master does not answer, another leads.
    browser.awaitVisible("the stopped leader's row", By.cssSelector(
        "#masters tr[data-master='" + leader + "'][data-reachable='false']"));
    browser.awaitVisible("a new leader's row", By.cssSelector("#masters tr[data-role='LEADER']"));
    assertThat(browser.text(By.cssSelector("section[data-history='" + follower + "']")))
        .contains("handed over (transfer)");
    browser.screenshot("masters-after-handoff");
  }
}
