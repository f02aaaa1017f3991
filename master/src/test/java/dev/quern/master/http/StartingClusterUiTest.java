package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import dev.quern.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI started over a cluster that is still starting (as {@code quern submit} starts the two
 * side by side): it serves, streams and saves exactly what it does over a started cluster.
 */
class StartingClusterUiTest {
  private static final long SEED = 20261126L;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aUiStartedBeforeItsClusterServesStreamsAndSavesItsJobs() throws Exception {
    System.out.println("StartingClusterUiTest seed " + SEED);
    CompletableFuture<LocalCluster> starting = new CompletableFuture<>();
    Path history = dir.resolve("history");
    // Returns with the cluster not there: nothing in the start waits for it.
    try (UiServer ui = UiServer.startLocal(starting, 0, history)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + ui.port();
      // A request made meanwhile waits for the cluster, then answers from it.
      CompletableFuture<HttpResponse<String>> early = http.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/api/v1/cluster")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      try (LocalCluster cluster = LocalCluster.start(LocalClusterOptions.defaults()
          .withWorkers(1).withWorkDir(dir.resolve("work")))) {
        starting.complete(cluster);
        HttpResponse<String> r = early.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).get("mode").asText()).isEqualTo("live");
        assertThat(Json.MAPPER.readTree(r.body()).get("workers")).hasSize(1);

        try (SseReader events = new SseReader(http, base + "/api/v1/events")) {
          events.await(e -> e.name().equals("hello")
              && e.json().get("mode").asText().equals("live"), WAIT);
          JobHandle h = TestJobs.wordCount(dir, "wordcount-starting", 2, SEED).submit(cluster);
          JobStatus s = h.awaitCompletion(WAIT);
          assertThat(s.state()).as("%s within %s: %s", h.id(), WAIT, s.failure())
              .isEqualTo(JobState.SUCCEEDED);
          events.await(e -> e.name().equals("state")
              && e.json().get("jobId").asText().equals(h.id())
              && e.json().get("type").asText().equals("job")
              && e.json().get("state").asText().equals("SUCCEEDED"), WAIT);
          Path saved = history.resolve(h.id() + ".json");
          Await.until(WAIT, "the history file " + saved, () -> Files.exists(saved));
          assertThat(Json.MAPPER.readTree(saved.toFile()).get("job").get("state").asText())
              .isEqualTo("SUCCEEDED");
        }
      }
    }
  }

  @Test
  void aSubscriptionClosedBeforeTheClusterIsUpNeverAttaches() throws Exception {
    CompletableFuture<LocalCluster> starting = new CompletableFuture<>();
    LocalClusterSource source = new LocalClusterSource(starting);
    java.util.List<Object> closedSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.List<Object> keptSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
    source.subscribe(closedSeen::add).close();
    MonitoringSource.Subscription kept = source.subscribe(keptSeen::add);
    try (LocalCluster cluster = LocalCluster.start(LocalClusterOptions.defaults()
        .withWorkers(1).withWorkDir(dir.resolve("work")))) {
      starting.complete(cluster);
      JobHandle h = TestJobs.wordCount(dir, "wordcount-sub", 1, SEED + 1).submit(cluster);
      JobStatus s = h.awaitCompletion(WAIT);
      assertThat(s.state()).as("%s within %s: %s", h.id(), WAIT, s.failure())
          .isEqualTo(JobState.SUCCEEDED);
      // Listeners run on the master's thread, maybe just after the wait ends.
      Await.until(WAIT, "the kept subscription to see the job end", () -> jobEnds(keptSeen) > 0);
      // The master answers this after it has finished the message that published the end, so
      // every listener of that publication has run.
      assertThat(cluster.kill(h.id())).isFalse();
      kept.close();
      assertThat(jobEnds(keptSeen)).isEqualTo(1);
      assertThat(closedSeen).isEmpty();
    }
  }

  private static long jobEnds(java.util.List<Object> seen) {
    return seen.stream().filter(e -> e instanceof dev.quern.master.http.json.StateEvent ev
        && ev.type().equals("job") && ev.state().equals("SUCCEEDED")).count();
  }
}
