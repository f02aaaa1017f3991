package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.testkit.Await;
import dev.quern.testkit.PromText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API over real HTTP, against a local cluster running real jobs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {
  private static final long SEED = 20261126L;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
  private static final Path SAMPLES = Path.of("target", "api-samples");

  @TempDir
  static Path dir;
  private UiTestCluster ui;
  private JobStatus wordCount;

  @BeforeAll
  void start() throws Exception {
    ui = new UiTestCluster(dir);
    JobHandle h = ui.submit(TestJobs.wordCount(dir, "wordcount", 3, SEED));
    wordCount = h.awaitCompletion(JOB_TIMEOUT);
    assertThat(wordCount.state()).as("word count: %s", wordCount.failure())
        .isEqualTo(JobState.SUCCEEDED);
  }

  @AfterAll
  void stop() {
    TestJobs.Blocking.RELEASE.countDown();
    if (ui != null) {
      ui.close();
    }
  }

  @Test
  void clusterShowsTheLocalLeaderAndEveryWorkerSlot() {
    UiTestCluster.Response r = sample("cluster", ui.get("/api/v1/cluster"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode c = r.json();
    assertThat(c.get("mode").asText()).isEqualTo("live");
    assertThat(c.get("masters")).hasSize(1);
    assertThat(c.get("masters").get(0).get("role").asText()).isEqualTo("leader");
    assertThat(c.get("workers")).hasSize(2);
    c.get("workers").forEach(w -> assertThat(w.get("slots").asInt()).isEqualTo(2));
    // The last report of each worker: its registration or an attempt report, in the past.
    c.get("workers").forEach(w -> assertThat(w.get("lastHeartbeat").asLong()).isPositive()
        .isLessThanOrEqualTo(System.currentTimeMillis()));
    assertThat(c.get("totals").get("slots").asInt()).isEqualTo(4);
    assertThat(c.get("totals").get("jobsByState").get("SUCCEEDED").asInt()).isPositive();
  }

  @Test
  void jobShowsStateTimesProgressAndTheEngineCounters() throws Exception {
    JsonNode j = sample("job", ui.get("/api/v1/jobs/" + wordCount.id())).json();
    assertThat(j.get("name").asText()).isEqualTo("wordcount");
    assertThat(j.get("user").asText()).isEqualTo("tester");
    assertThat(j.get("state").asText()).isEqualTo("SUCCEEDED");
    long submit = j.get("submitTime").asLong();
    long start = j.get("startTime").asLong();
    long end = j.get("endTime").asLong();
    assertThat(submit).isPositive().isLessThanOrEqualTo(start);
    assertThat(start).isLessThanOrEqualTo(end);
    assertThat(j.get("durationMillis").asLong()).isEqualTo(end - start);
    assertThat(j.get("map").get("tasks").asInt()).isEqualTo(3);
    assertThat(j.get("map").get("done").asInt()).isEqualTo(3);
    assertThat(j.get("reduce").get("tasks").asInt()).isEqualTo(2);
    assertThat(j.get("map").get("fraction").asDouble()).isEqualTo(1.0);
    assertThat(j.get("inputs")).hasSize(1);
    assertThat(j.get("inputs").get(0).asText()).endsWith("wordcount-in");
    assertThat(j.get("configuration").get("ui.test.seed").asText()).isEqualTo("" + SEED);
    assertThat(j.get("output").asText()).endsWith("wordcount-out");
    assertThat(j.get("failure").isNull()).isTrue();

    // Counters: the API's equal the handle's, and they match the input as computed here.
    JsonNode quern = j.get("counters").get(TaskCounter.GROUP);
    for (TaskCounter c : List.of(TaskCounter.MAP_INPUT_RECORDS, TaskCounter.MAP_OUTPUT_RECORDS,
        TaskCounter.OUTPUT_RECORDS)) {
      assertThat(quern.get(c.name()).asLong()).as(c.name())
          .isEqualTo(wordCount.counters().get(c));
    }
    Map<String, Long> expected = countWords(dir.resolve("wordcount-in"));
    assertThat(quern.get("MAP_INPUT_RECORDS").asLong()).isEqualTo(3 * 200);
    assertThat(quern.get("MAP_OUTPUT_RECORDS").asLong())
        .isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
    assertThat(quern.get("OUTPUT_RECORDS").asLong()).isEqualTo(expected.size());
  }

  @Test
  void tasksListEveryAttemptWithWorkerTimesAndRecords() {
    UiTestCluster.Response r = sample("tasks", ui.get("/api/v1/jobs/" + wordCount.id() + "/tasks"));
    assertThat(r.status()).isEqualTo(200);
    JsonNode tasks = r.json();
    assertThat(tasks).hasSize(5);
    List<String> ids = new ArrayList<>();
    tasks.forEach(t -> ids.add(t.get("id").asText()));
    assertThat(ids).containsExactly("m-00000", "m-00001", "m-00002", "r-00000", "r-00001");
    long mapInput = 0;
    long mapOutput = 0;
    long reduceOutput = 0;
    for (JsonNode t : tasks) {
      assertThat(t.get("state").asText()).isEqualTo("DONE");
      assertThat(t.get("attempts").size()).as("attempts of %s", t.get("id")).isEqualTo(1);
      JsonNode a = t.get("attempts").get(0);
      assertThat(a.get("id").asText()).isEqualTo(wordCount.id() + "/" + t.get("id").asText() + "/1");
      assertThat(a.get("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(a.get("worker").asText()).startsWith("worker-");
      assertThat(a.get("endTime").asLong()).isGreaterThanOrEqualTo(a.get("startTime").asLong());
      assertThat(a.get("progress").asDouble()).isEqualTo(1.0);
      if (t.get("kind").asText().equals("MAP")) {
        assertThat(t.get("input").asText()).contains("wordcount-in").contains(":0+");
        mapInput += a.get("inputRecords").asLong();
        assertThat(a.get("inputBytes").asLong()).isPositive();
        mapOutput += a.get("outputRecords").asLong();
        assertThat(a.get("outputBytes").asLong()).isPositive();
      } else {
        reduceOutput += a.get("outputRecords").asLong();
        assertThat(a.get("outputBytes").asLong()).isPositive();
      }
    }
    assertThat(mapInput).isEqualTo(wordCount.counters().get(TaskCounter.MAP_INPUT_RECORDS));
    assertThat(mapOutput).isEqualTo(wordCount.counters().get(TaskCounter.MAP_OUTPUT_RECORDS));
    assertThat(reduceOutput).isEqualTo(wordCount.counters().get(TaskCounter.OUTPUT_RECORDS));
  }

  @Test
  void jobsFilterByStateAndRejectAnUnknownState() {
    JsonNode all = sample("jobs", ui.get("/api/v1/jobs")).json();
    assertThat(ids(all)).contains(wordCount.id());
    assertThat(ids(ui.get("/api/v1/jobs?state=SUCCEEDED").json())).contains(wordCount.id());
    assertThat(ids(ui.get("/api/v1/jobs?state=running,killed").json()))
        .doesNotContain(wordCount.id());

    UiTestCluster.Response bad = sample("error-400", ui.get("/api/v1/jobs?state=DONE"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("error").asText()).contains("bad state 'DONE'").contains("RUNNING");
  }

  @Test
  void unknownIdsAnswer404WithAJsonError() {
    for (UiTestCluster.Response r : List.of(ui.get("/api/v1/jobs/job-9999"),
        ui.get("/api/v1/jobs/job-9999/tasks"), ui.post("/api/v1/jobs/job-9999/kill"),
        ui.get("/api/v1/workers/worker-77"), ui.get("/api/v1/nothing-here"))) {
      assertThat(r.status()).as(r.body()).isEqualTo(404);
      assertThat(r.contentType()).startsWith("application/json");
      assertThat(r.json().get("error").asText()).isNotBlank();
    }
    assertThat(ui.get("/api/v1/jobs/job-9999").json().get("error").asText())
        .isEqualTo("no job 'job-9999'");
  }

  @Test
  void otherPagesAndForeignHostsCannotUseTheApi() throws Exception {
    var kill = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(ui.url("/api/v1/jobs/" + wordCount.id() + "/kill")))
        .header("Origin", "http://evil.example").POST(
            java.net.http.HttpRequest.BodyPublishers.noBody()).build();
    var r = ui.http().send(kill, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("refused: a POST from origin http://evil.example");
    // A rebound DNS name reaches 127.0.0.1 with a foreign Host header.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", ui.server.port())) {
      s.getOutputStream().write(("GET /api/v1/jobs HTTP/1.1\r\nHost: evil.example:"
          + ui.server.port() + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 403").contains("is not a loopback address");
    }
    // The pages and the metrics too, not only the API.
    for (String path : List.of("/", "/metrics", "/jobs/x")) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", ui.server.port())) {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: evil.example\r\n"
            + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String answer = new String(s.getInputStream().readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
        assertThat(answer).as(path).startsWith("HTTP/1.1 403")
            .contains("is not a loopback address").doesNotContain("quern_");
      }
    }
    assertThat(ui.get("/metrics").status()).isEqualTo(200);
    assertThat(ui.get("/").status()).isEqualTo(200);
  }

  @Test
  void workerPageListsTheAttemptsItRan() {
    JsonNode cluster = ui.get("/api/v1/cluster").json();
    long attempts = 0;
    for (JsonNode w : cluster.get("workers")) {
      JsonNode page = sample("worker", ui.get("/api/v1/workers/" + w.get("id").asText())).json();
      assertThat(page.get("worker").get("id").asText()).isEqualTo(w.get("id").asText());
      page.get("attempts").forEach(a ->
          assertThat(a.get("attempt").get("worker").asText()).isEqualTo(w.get("id").asText()));
      assertThat(page.get("attempts").size()).isEqualTo(w.get("tasksRun").asInt());
      attempts += page.get("attempts").size();
    }
    // Every attempt of every job this cluster ran is on exactly one worker's page.
    long ran = ui.cluster.jobViews().stream().flatMap(j -> java.util.stream.Stream.concat(
        j.maps().stream(), j.reduces().stream())).mapToLong(t -> t.attempts().size()).sum();
    assertThat(ran).isGreaterThanOrEqualTo(5);
    assertThat(attempts).isEqualTo(ran);
  }

  @Test
  void failedJobCarriesTheReasonAndTheFailedAttemptsError() throws Exception {
    JobStatus s = ui.submit(TestJobs.failing(dir, "failing-api")).awaitCompletion(JOB_TIMEOUT);
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    JsonNode j = sample("job-failed", ui.get("/api/v1/jobs/" + s.id())).json();
    assertThat(j.get("state").asText()).isEqualTo("FAILED");
    assertThat(j.get("failure").asText()).contains(TestJobs.Exploding.MESSAGE);
    JsonNode attempt = ui.get("/api/v1/jobs/" + s.id() + "/tasks").json().get(0)
        .get("attempts").get(0);
    assertThat(attempt.get("state").asText()).isEqualTo("FAILED");
    assertThat(attempt.get("error").asText()).contains(TestJobs.Exploding.MESSAGE)
        .contains("at " + TestJobs.Exploding.class.getName().replace('$', '$') + ".map");
  }

  @Test
  void killStopsARunningJobAndRefusesAFinishedOne() throws Exception {
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    try {
      JobHandle h = ui.submit(TestJobs.blocking(dir, "blocking-api"));
      awaitAttemptRunning(h.id());
      UiTestCluster.Response kill = sample("kill", ui.post("/api/v1/jobs/" + h.id() + "/kill"));
      assertThat(kill.status()).as(kill.body()).isEqualTo(202);
      // The answer carries the job's state after the kill and who killed it, and when.
      assertThat(kill.json().get("id").asText()).isEqualTo(h.id());
      assertThat(kill.json().get("state").asText()).isEqualTo("KILLED");
      assertThat(kill.json().get("failure").asText()).matches(
          "killed through the HTTP API \\(a request from 127\\.0\\.0\\.1\\) at "
              + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(h.awaitCompletion(JOB_TIMEOUT).state()).isEqualTo(JobState.KILLED);
      assertThat(h.status().failure()).isEqualTo(kill.json().get("failure").asText());
      assertThat(ui.get("/api/v1/jobs/" + h.id()).json().get("state").asText())
          .isEqualTo("KILLED");
      UiTestCluster.Response again = sample("error-409", ui.post("/api/v1/jobs/" + h.id() + "/kill"));
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.json().get("error").asText()).contains("KILLED");
    } finally {
      TestJobs.Blocking.RELEASE.countDown();
    }
  }

  @Test
  void eventStreamDeliversAJobsStateChanges() throws Exception {
    try (SseReader events = new SseReader(ui.http(), ui.url("/api/v1/events"))) {
      events.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      JobHandle h = ui.submit(TestJobs.wordCount(dir, "wordcount-sse", 2, SEED + 1));
      SseReader.Event done = events.await(e -> e.name().equals("state")
          && e.json().get("jobId").asText().equals(h.id())
          && e.json().get("type").asText().equals("job")
          && e.json().get("state").asText().equals("SUCCEEDED"), JOB_TIMEOUT);
      assertThat(done.json().get("time").asLong()).isPositive();
      Files.createDirectories(SAMPLES);
      Files.writeString(SAMPLES.resolve("events.txt"), String.join("\n", events.seen().stream()
          .map(e -> "event: " + e.name() + "\ndata: " + e.data() + "\n").toList()));
      List<String> jobStates = new ArrayList<>();
      Map<String, List<String>> attemptStates = new HashMap<>();
      for (SseReader.Event e : events.seen()) {
        if (!e.name().equals("state") || !e.json().get("jobId").asText().equals(h.id())) {
          continue;
        }
        JsonNode ev = e.json();
        if (ev.get("type").asText().equals("job")) {
          jobStates.add(ev.get("state").asText());
        } else if (ev.get("type").asText().equals("attempt")) {
          attemptStates.computeIfAbsent(ev.get("attempt").asText(), k -> new ArrayList<>())
              .add(ev.get("state").asText());
        }
      }
      assertThat(jobStates).contains("RUNNING").endsWith("SUCCEEDED");
      assertThat(jobStates).doesNotHaveDuplicates();
      // 2 maps and 2 reduces, one attempt each (nothing fails, nothing speculates), each seen
      // running and then succeeding.
      assertThat(attemptStates).containsOnlyKeys(h.id() + "/m-00000/1", h.id() + "/m-00001/1",
          h.id() + "/r-00000/1", h.id() + "/r-00001/1");
      attemptStates.values().forEach(s -> assertThat(s).containsSubsequence("RUNNING",
          "SUCCEEDED"));
    }
  }

  @Test
  void metricsAreInThePrometheusTextFormat() {
    UiTestCluster.Response r = sample("metrics", ui.get("/metrics"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/plain; version=0.0.4");
    // Every line is a HELP, a TYPE or a sample of the family last typed (PromText is strict).
    PromText m = PromText.parse(r.body());
    assertThat(m.type("quern_jobs")).isEqualTo("gauge");
    assertThat(m.value("quern_jobs", Map.of("state", "SUCCEEDED"))).isGreaterThanOrEqualTo(1);
    assertThat(m.type("quern_task_duration_seconds")).isEqualTo("histogram");
    assertThat(m.value("quern_task_duration_seconds_bucket", Map.of("kind", "map", "le", "+Inf")))
        .isGreaterThanOrEqualTo(1);
    assertThat(m.value("quern_tasks_running", Map.of("kind", "map"))).isNotNegative();
    assertThat(m.type("quern_shuffle_bytes_total")).isEqualTo("counter");
    // The word count's reduces read its map outputs: the sum of its SHUFFLE_BYTES at least.
    assertThat(m.value("quern_shuffle_bytes_total"))
        .isGreaterThanOrEqualTo(wordCount.counters().get(TaskCounter.SHUFFLE_BYTES));
    assertThat(m.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
    assertThat(m.value("jvm_threads_current")).isPositive();
  }

  @Test
  void finishedJobsAreSavedAndServedByAHistoryServer() throws Exception {
    Path file = ui.history.resolve(wordCount.id() + ".json");
    awaitFile(file);
    JsonNode live = ui.get("/api/v1/jobs/" + wordCount.id()).json();
    JsonNode liveTasks = ui.get("/api/v1/jobs/" + wordCount.id() + "/tasks").json();
    try (UiServer past = UiServer.startHistory(ui.history, 0)) {
      UiTestCluster.Response job = get(past, "/api/v1/jobs/" + wordCount.id());
      assertThat(job.status()).isEqualTo(200);
      assertThat(job.json()).isEqualTo(live);
      assertThat(get(past, "/api/v1/jobs/" + wordCount.id() + "/tasks").json())
          .isEqualTo(liveTasks);
      assertThat(get(past, "/api/v1/cluster").json().get("mode").asText()).isEqualTo("history");
      assertThat(ids(get(past, "/api/v1/jobs").json())).contains(wordCount.id());
      assertThat(get(past, "/api/v1/jobs/" + wordCount.id() + "/kill", true).status())
          .isEqualTo(409);
      assertThat(get(past, "/").body()).contains("<title>Quern</title>");
    }
  }

  @Test
  void aTakenPortMovesTheServerToTheNextFreeOne() {
    int taken = ui.server.port();
    try (UiServer second = UiServer.startHistory(dir.resolve("other-history"), taken)) {
      assertThat(second.port()).isGreaterThan(taken).isLessThanOrEqualTo(taken + 20);
      assertThat(second.url()).isEqualTo("http://127.0.0.1:" + second.port() + "/");
    }
  }

  @Test
  void theAppIsServedFromTheJar() {
    UiTestCluster.Response index = ui.get("/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\">");
    assertThat(index.contentType()).startsWith("text/html");
    UiTestCluster.Response js = ui.get("/app.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.contentType()).contains("javascript");
    UiTestCluster.Response page = ui.get("/pages/job.js");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).contains("javascript");
    assertThat(page.body()).isNotBlank();
    assertThat(ui.get("/style.css").contentType()).startsWith("text/css");
    assertThat(ui.get("/favicon.svg").contentType()).startsWith("image/svg+xml");
  }

  @Test
  void pathsOutsideTheAppFindNothing() {
    for (String path : List.of("/nothing.js", "/pages/", "/pages/nothing.js", "/index",
        "/%2e%2e/webui/index.html", "/..%2Fwebui/app.js", "/pages/..%2F..%2Fwebui/app.js",
        "/META-INF/MANIFEST.MF", "/dev/quern/master/http/UiServer.class")) {
      assertThat(ui.get(path).status()).as(path).isIn(400, 404);
    }
    // The API's own 404 stays a JSON error, though the app's files take every other GET.
    assertThat(ui.get("/api/v1/nothing-here").contentType()).startsWith("application/json");
  }

  private void awaitAttemptRunning(String jobId) throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AutoCloseable listener = ui.cluster.addListener(e -> {
      if (e instanceof ClusterEvent.JobUpdated u && u.job().id().equals(jobId)
          && u.job().maps().get(0).attempts().stream()
              .anyMatch(a -> a.state() == AttemptState.RUNNING)) {
        running.countDown();
      }
    });
    try {
      // The attempt may have started before the listener was added.
      if (ui.cluster.jobView(jobId).orElseThrow().maps().get(0).attempts().isEmpty()) {
        assertThat(running.await(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            .as("an attempt of %s started", jobId).isTrue();
      }
    } finally {
      listener.close();
    }
  }

  private static void awaitFile(Path file) {
    Await.until(JOB_TIMEOUT, "history file " + file, () -> Files.exists(file));
  }

  private UiTestCluster.Response get(UiServer server, String path) {
    return get(server, path, false);
  }

  private UiTestCluster.Response get(UiServer server, String path, boolean post) {
    try {
      var req = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + server.port() + path));
      if (post) {
        req.POST(java.net.http.HttpRequest.BodyPublishers.noBody());
      }
      var r = ui.http().send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      return new UiTestCluster.Response(r.statusCode(),
          r.headers().firstValue("content-type").orElse(""), r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Keeps the answer under target/api-samples/ (examples for the API's documentation). */
  private static UiTestCluster.Response sample(String name, UiTestCluster.Response r) {
    try {
      Files.createDirectories(SAMPLES);
      String body = r.contentType().startsWith("application/json")
          ? r.json().toPrettyString() : r.body();
      Files.writeString(SAMPLES.resolve(name + (r.contentType().startsWith("application/json")
          ? ".json" : ".txt")), r.status() + "\n" + body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return r;
  }

  private static List<String> ids(JsonNode jobs) {
    List<String> out = new ArrayList<>();
    jobs.forEach(j -> out.add(j.get("id").asText()));
    return out;
  }

  private static Map<String, Long> countWords(Path in) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.list(in)) {
      for (Path f : files.toList()) {
        for (String w : Files.readString(f).split("\\s+")) {
          if (!w.isEmpty()) {
            counts.merge(w, 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }
}
