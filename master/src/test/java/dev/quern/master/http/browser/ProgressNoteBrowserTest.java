package dev.quern.master.http.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.master.cluster.ClusterHttp;
import dev.quern.master.cluster.InProcessMasters;
import dev.quern.master.cluster.SubmissionIds;
import dev.quern.master.cluster.SubmissionWire;
import dev.quern.master.engine.BookSplit;
import dev.quern.testkit.Await;
import dev.quern.testkit.browser.Browser;
import dev.quern.testkit.browser.ScreenshotOnFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * The progress note in headless Chromium on three real masters (one JVM) and a job that runs
 * (accepted, no worker takes it, so it never ends). The leader's job page shows the job's bars
 * with no note. Then the leader and the other follower stop: the remaining master hears no
 * leader, its job document carries a {@code progressNote}, and its job page and job list say in a
 * visible notice that the progress shown is not the leader's, with the note's words.
 */
@Timeout(300)
class ProgressNoteBrowserTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final String PREFIX = "Progress is not the leader's. ";

  /** Never runs: the master reads the job without its classes, and no worker takes it. */
  public static class NoMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  @TempDir Path tmp;
  private final InProcessMasters group = new InProcessMasters();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Browser browser;

  @RegisterExtension
  final ScreenshotOnFailure shots = new ScreenshotOnFailure(() -> browser, SHOTS);

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      group.close();
    }
  }

  @Test
  void aMasterThatHearsNoLeaderSaysItsProgressIsNotTheLeaders() throws Exception {
    group.start(tmp.resolve("masters"));
    String leader = group.awaitLeader(BOUND);
    String survivor = group.masters.keySet().stream().filter(m -> !m.equals(leader))
        .findFirst().orElseThrow();
    String job = submit(leader);
    for (String m : group.masters.keySet()) {
      Await.until(BOUND, "job " + job + " on master " + m,
          () -> group.getJson(group.httpOf.get(m), "/api/v1/jobs/" + job).isPresent());
    }
    browser = new Browser(SHOTS);

    // The leader's progress is its own: no note in its document, none on its pages.
    JsonNode onLeader = group.getJson(group.httpOf.get(leader), "/api/v1/jobs/" + job)
        .orElseThrow();
    assertThat(onLeader.path("state").asText()).isIn("ACCEPTED", "RUNNING");
    assertThat(onLeader.path("progressNote").isNull()).as(onLeader.toString()).isTrue();
    browser.open("http://" + group.httpOf.get(leader) + "/#/jobs/" + job);
    browser.awaitVisible("the job's header", By.cssSelector(".job[data-job='" + job + "']"));
    assertThat(browser.count(By.id("progress-note"))).as("a note on the leader's job page")
        .isZero();
    assertThat(browser.count(By.cssSelector("[role=progressbar]"))).isEqualTo(2);
    browser.open("http://" + group.httpOf.get(leader) + "/#/jobs");
    browser.awaitVisible("the job in the list", By.cssSelector(".jobs-table tr[data-job='" + job
        + "']"));
    assertThat(browser.count(By.id("progress-note"))).as("a note on the leader's list").isZero();
    assertThat(browser.count(By.cssSelector("tr[data-progress-note]"))).isZero();
    browser.screenshot("progress-no-note");
    browser.driver.get("about:blank"); // the leader's page would retry its event stream

    // Two of three stop: the survivor has no quorum, so no leader it could hear.
    for (String m : List.copyOf(group.masters.keySet())) {
      if (!m.equals(survivor)) {
        group.masters.remove(m).close();
      }
    }
    String base = "http://" + group.httpOf.get(survivor);
    JsonNode doc = Await.value(BOUND, "a progress note in the job's document on " + survivor,
        () -> group.getJson(group.httpOf.get(survivor), "/api/v1/jobs/" + job)
            .filter(d -> !d.path("progressNote").isNull()).orElse(null));
    assertThat(doc.path("progressNote").asText()).contains("showing the replicated");

    browser.open(base + "/#/jobs/" + job);
    browser.awaitVisible("the progress note on the job page", By.id("progress-note"));
    // The page shows the document's note (its reason may change as the survivor's view of the
    // election does: the page and the API are compared at the same moment).
    browser.await("the job page's notice to say the API's note", d -> {
      String shown = d.findElement(By.id("progress-note")).getText();
      String note = group.getJson(group.httpOf.get(survivor), "/api/v1/jobs/" + job)
          .map(n -> n.path("progressNote").asText()).orElse("");
      return shown.equals(PREFIX + note) ? shown : null;
    });
    browser.screenshot("progress-note-job");

    browser.open(base + "/#/jobs");
    assertThat(browser.awaitVisible("the progress note on the job list",
        By.id("progress-note")).getText()).startsWith(PREFIX).contains("showing the replicated");
    browser.awaitVisible("the job's row marked", By.cssSelector(
        ".jobs-table tr[data-job='" + job + "'][data-progress-note='true'] .note-mark"));
    browser.screenshot("progress-note-jobs");
    assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
  }

  /** Submits a job that no worker will run to {@code master}; its id. */
  private String submit(String master) throws IOException {
    Path in = Files.writeString(tmp.resolve("in.txt"), "a b a\n");
    JobSpec spec = SubmissionIds.stamp(Job.builder("noted").input(in.toString())
        .output(tmp.resolve("out").toString()).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec());
    byte[] body = SubmissionWire.encode(spec, List.of(new BookSplit.File(
        new FileSplit(in.toString(), 0, Files.size(in), List.of()))));
    return Await.value(BOUND, "the job accepted by " + master, () -> {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://"
                + group.httpOf.get(master) + ClusterHttp.JOBS)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 202
            ? new ObjectMapper().readTree(r.body()).path("id").asText() : null;
      } catch (IOException e) {
        return null; // a leader that just started its session: asked again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    });
  }
}
