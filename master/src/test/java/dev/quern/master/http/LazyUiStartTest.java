package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskState;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import dev.quern.testkit.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI's server starts at the first connection to its port (UiServer's class comment): until
 * then a job runs with no server, and what the first request gets is what the cluster holds
 * then, over a real socket.
 */
class LazyUiStartTest {
  private static final long SEED = 20261203L;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aJobRunWhileNobodyLooksIsServedAsItEndedAtTheFirstRequest() throws Exception {
    System.out.println("LazyUiStartTest seed " + SEED);
    Path history = dir.resolve("history");
    try (LocalCluster cluster = LocalCluster.start(LocalClusterOptions.defaults()
        .withWorkers(1).withWorkDir(dir.resolve("work")));
        UiServer ui = UiServer.startLocal(cluster, 0, history)) {
      assertThat(ui.serving()).as("a server before any connection").isFalse();
      JobHandle h = TestJobs.wordCount(dir, "wordcount-lazy", 3, SEED).submit(cluster);
      JobStatus s = h.awaitCompletion(WAIT);
      assertThat(s.state()).as("%s within %s: %s", h.id(), WAIT, s.failure())
          .isEqualTo(JobState.SUCCEEDED);
      // The history recorder follows the jobs without the server.
      Path saved = history.resolve(h.id() + ".json");
      Await.until(WAIT, "the history file " + saved, () -> Files.exists(saved));
      assertThat(ui.serving()).as("a server with nobody connected").isFalse();

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
      String base = "http://127.0.0.1:" + ui.port();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create(base + "/api/v1/jobs/" + h.id())).timeout(WAIT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(ui.serving()).isTrue();
      JsonNode job = Json.MAPPER.readTree(r.body());
      JobView view = cluster.jobView(h.id()).orElseThrow();
      assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(job.get("map").get("tasks").asInt()).isEqualTo(view.maps().size());
      assertThat(job.get("map").get("done").asInt()).isEqualTo((int) view.maps().stream()
          .filter(t -> t.state() == TaskState.DONE).count());
      assertThat(job.get("counters").get("quern").get("MAP_INPUT_RECORDS").asLong())
          .isEqualTo(view.counters().get("quern").get("MAP_INPUT_RECORDS"));
      // The app's page and the event stream, from the same server.
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/"))
          .timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<html");
      try (SseReader events = new SseReader(http, base + "/api/v1/events")) {
        events.await(e -> e.name().equals("hello")
            && e.json().get("mode").asText().equals("live"), WAIT);
      }
    }
  }

  @Test
  void closingBeforeAnyConnectionFreesThePort() throws Exception {
    UiServer ui = UiServer.startHistory(dir.resolve("history"), 0);
    int port = ui.port();
    ui.close();
    assertThat(ui.serving()).isFalse();
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(UiServer.HOST, port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void aTakenPortIsSkippedAtStart() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50,
        java.net.InetAddress.getByName(UiServer.HOST));
        UiServer ui = UiServer.startHistory(dir.resolve("history"), taken.getLocalPort())) {
      assertThat(ui.port()).isGreaterThan(taken.getLocalPort());
      try (Socket s = new Socket(UiServer.HOST, ui.port())) {
        assertThat(s.isConnected()).isTrue();
      }
    }
  }

  @Test
  void aBadLoginSettingFailsTheStartNotTheFirstRequest() {
    System.setProperty("quern.ui.login", "required");
    try {
      assertThatThrownBy(() -> UiServer.startHistory(dir.resolve("history"), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("quern.ui.login = required");
    } finally {
      System.clearProperty("quern.ui.login");
    }
  }

  @Test
  void thePortIsBoundAtStart() throws IOException {
    try (UiServer ui = UiServer.startHistory(dir.resolve("history"), 0)) {
      try (ServerSocket same = new ServerSocket()) {
        assertThatThrownBy(() -> same.bind(new InetSocketAddress(UiServer.HOST, ui.port())))
            .isInstanceOf(java.net.BindException.class);
      }
    }
  }
}
