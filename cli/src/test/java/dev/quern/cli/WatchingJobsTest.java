package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.testkit.Await;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI of {@code quern submit} and {@code quern ui}, over real HTTP: off with
 * {@code --ui-port 0}, on a chosen port while the job runs (its URL printed first), on the next
 * free port when that one is taken, and serving saved jobs after the run has ended.
 */
class WatchingJobsTest {
  private static final String WORDCOUNT = "dev.quern.examples.wordcount.WordCount";
  private static final Pattern URL = Pattern.compile("Quern UI: (http://127\\.0\\.0\\.1:(\\d+)/)");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path shared;
  private static Path examplesJar;
  private static Path latchedJar;
  private static Path input;

  @TempDir Path dir;

  @BeforeAll
  static void buildJarsAndInput() throws Exception {
    examplesJar = TestJars.examplesJar(shared.resolve("examples.jar"), null);
    latchedJar = TestJars.jarOf(shared.resolve("latched.jar"), LatchedDriver.class);
    input = Files.createDirectories(shared.resolve("in"));
    Files.writeString(input.resolve("a.txt"), "the quick brown fox\njumps over the lazy dog\n");
  }

  @AfterEach
  void releaseMappers() {
    LatchedDriver.RELEASE.countDown();
  }

  @Test
  void uiPortZeroServesNothingAndSavesNothing() {
    Path history = dir.resolve("history");
    CliRun run = CliRun.of("submit", "--ui-port", "0", "--history", history.toString(),
        "--master", "local[1]", examplesJar.toString(), WORDCOUNT, input.toString(),
        dir.resolve("out").toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).doesNotContain("Quern UI");
    assertThat(history).doesNotExist();
  }

  @Test
  void servesTheRunningJobOnTheChosenPortAndPrintsTheUrlFirst() throws Exception {
    LatchedDriver.STARTED = new CountDownLatch(1);
    LatchedDriver.RELEASE = new CountDownLatch(1);
    int port = freePort();
    Path history = dir.resolve("history");
    StringWriter out = new StringWriter();
    AtomicReference<CliRun> result = new AtomicReference<>();
    Thread runner = new Thread(() -> result.set(CliRun.of(out, new StringWriter(), "submit",
        "--ui-port", "" + port, "--history", history.toString(), "--master", "local[1]",
        latchedJar.toString(), LatchedDriver.class.getName(), input.toString(),
        dir.resolve("out").toString())), "submit");
    runner.start();
    try {
      assertThat(LatchedDriver.STARTED.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the mapper started; output so far: %s", out).isTrue();
      Matcher m = URL.matcher(out.toString());
      assertThat(m.find()).as(out.toString()).isTrue();
      assertThat(Integer.parseInt(m.group(2))).isEqualTo(port);
      assertThat(out.toString().lines().findFirst()).as("the URL precedes the progress")
          .hasValueSatisfying(first -> assertThat(first).startsWith("Quern UI: "));

      JsonNode jobs = get(m.group(1) + "api/v1/jobs");
      assertThat(jobs).hasSize(1);
      assertThat(jobs.get(0).get("name").asText()).isEqualTo("latched");
      assertThat(jobs.get(0).get("state").asText()).isEqualTo("RUNNING");
      assertThat(jobs.get(0).get("inputs").get(0).asText()).isEqualTo(input.toString());
    } finally {
      LatchedDriver.RELEASE.countDown();
      runner.join(WAIT.toMillis());
    }
    assertThat(runner.isAlive()).isFalse();
    assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
    assertThatThrownBy(() -> get("http://127.0.0.1:" + port + "/api/v1/jobs"))
        .as("the UI closes with the run").isInstanceOf(IOException.class);
    assertThat(history.resolve("job-0001.json")).isRegularFile();
  }

  @Test
  void aKillThroughTheApiIsAnsweredAndTheCommandSaysWhoKilledTheJob() throws Exception {
    LatchedDriver.STARTED = new CountDownLatch(1);
    LatchedDriver.RELEASE = new CountDownLatch(1);
    int port = freePort();
    Path history = dir.resolve("history");
    Path out = dir.resolve("out");
    StringWriter stdout = new StringWriter();
    AtomicReference<CliRun> result = new AtomicReference<>();
    Thread runner = new Thread(() -> result.set(CliRun.of(stdout, new StringWriter(), "submit",
        "--ui-port", "" + port, "--history", history.toString(), "--master", "local[1]",
        latchedJar.toString(), LatchedDriver.class.getName(), input.toString(),
        out.toString())), "submit");
    runner.start();
    HttpResponse<String> kill;
    try {
      assertThat(LatchedDriver.STARTED.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the mapper started; output so far: %s", stdout).isTrue();
      // The kill ends the command's only job, so the command closes the UI at once: the answer
      // must still arrive whole (it came back empty before).
      kill = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/api/v1/jobs/job-0001/kill")).POST(HttpRequest.BodyPublishers.noBody())
              .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      runner.join(WAIT.toMillis());
    }
    assertThat(kill.statusCode()).as(kill.body()).isEqualTo(202);
    JsonNode body = JSON.readTree(kill.body());
    assertThat(body.get("state").asText()).isEqualTo("KILLED");
    String who = "killed through the HTTP API (a request from 127.0.0.1) at ";
    assertThat(body.get("failure").asText()).startsWith(who);
    assertThat(runner.isAlive()).isFalse();
    CliRun run = result.get();
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.errLines()).as(run.toString())
        .containsExactly("quern: job 'latched' (job-0001) " + body.get("failure").asText());
    assertThat(out).as("the job created it, so it went with the job").doesNotExist();
    // The summary's time is the API's duration of the job.
    JsonNode saved = JSON.readTree(history.resolve("job-0001.json").toFile()).get("job");
    assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "latched KILLED in %.1f s",
        saved.get("durationMillis").asLong() / 1e3));
  }

  @Test
  void aTakenPortMovesToTheNextFreeOneAndQuernUiServesTheSavedJob() throws Exception {
    Path history = dir.resolve("history");
    Path out = dir.resolve("out");
    int taken;
    CliRun run;
    try (ServerSocket blocker = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      taken = blocker.getLocalPort();
      run = CliRun.of("submit", "--ui-port", "" + taken, "--history", history.toString(),
          "--master", "local[2]", examplesJar.toString(), WORDCOUNT, input.toString(),
          out.toString());
    }
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Matcher m = URL.matcher(run.out());
    assertThat(m.find()).as(run.toString()).isTrue();
    assertThat(Integer.parseInt(m.group(2))).isGreaterThan(taken).isLessThanOrEqualTo(taken + 20);
    assertThat(history.resolve("job-0001.json")).isRegularFile();

    StringWriter uiOut = new StringWriter();
    AtomicReference<CliRun> result = new AtomicReference<>();
    Thread ui = new Thread(() -> result.set(CliRun.of(uiOut, new StringWriter(), "ui",
        "--port", "0", "--history", history.toString())), "quern-ui");
    ui.start();
    try {
      Await.until(WAIT, "quern ui to print its URL", () -> URL.matcher(uiOut.toString()).find());
      Matcher u = URL.matcher(uiOut.toString());
      assertThat(u.find()).isTrue();
      String base = u.group(1);
      assertThat(get(base + "api/v1/cluster").get("mode").asText()).isEqualTo("history");
      JsonNode jobs = get(base + "api/v1/jobs");
      assertThat(jobs).hasSize(1);
      JsonNode job = jobs.get(0);
      assertThat(job.get("id").asText()).isEqualTo("job-0001");
      assertThat(job.get("name").asText()).isEqualTo("wordcount");
      assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(job.get("output").asText()).isEqualTo(out.toString());
      assertThat(job.get("counters").get("quern").get("MAP_INPUT_RECORDS").asLong()).isEqualTo(2);
      long outputRecords = 0;
      for (JsonNode task : get(base + "api/v1/jobs/job-0001/tasks")) {
        if (task.get("kind").asText().equals("REDUCE")) {
          for (JsonNode a : task.get("attempts")) {
            outputRecords += a.get("outputRecords").asLong();
          }
        }
      }
      assertThat(outputRecords).as("reduce attempts report their output records")
          .isEqualTo(distinctWords());
      assertThat(getStatus(base)).isEqualTo(200);
    } finally {
      ui.interrupt();
      ui.join(WAIT.toMillis());
    }
    assertThat(ui.isAlive()).isFalse();
    assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
  }

  @Test
  void examplesServeTheUiAndSaveTheirJobsToo() throws Exception {
    String before = System.setProperty(ExamplesJar.PROPERTY, examplesJar.toString());
    try {
      Path history = dir.resolve("history");
      CliRun run = CliRun.of("examples", "--ui-port", "" + freePort(), "--history",
          history.toString(), "--master", "local[1]", "grep", input.toString(),
          dir.resolve("out").toString(), "the|dog");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out().lines().findFirst()).hasValueSatisfying(
          first -> assertThat(URL.matcher(first).find()).as(first).isTrue());
      // Grep runs two jobs; both are saved.
      assertThat(history.resolve("job-0001.json")).isRegularFile();
      assertThat(history.resolve("job-0002.json")).isRegularFile();
      assertThat(Files.readString(history.resolve("job-0002.json"))).contains("grep-sort");
    } finally {
      if (before == null) {
        System.clearProperty(ExamplesJar.PROPERTY);
      } else {
        System.setProperty(ExamplesJar.PROPERTY, before);
      }
    }
  }

  @Test
  void badPortsAreRefusedInOneLine() {
    CliRun run = CliRun.of("submit", "--ui-port", "70000", examplesJar.toString(), WORDCOUNT);
    // A bad command line: exit code 2, as for one that does not parse.
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("quern: --ui-port must be 0 to 65535, got 70000"
        + " (see 'quern submit --help')");
    CliRun ui = CliRun.of("ui", "--port", "-1", "--history", dir.toString());
    assertThat(ui.exitCode()).isEqualTo(2);
    assertThat(ui.errLines()).containsExactly("quern: --port must be 0 to 65535, got -1"
        + " (see 'quern ui --help')");
  }

  private static long distinctWords() throws IOException {
    return java.util.Arrays.stream(Files.readString(input.resolve("a.txt")).split("\\s+"))
        .filter(w -> !w.isEmpty()).distinct().count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The browser app's page itself is served too. */
  private static int getStatus(String base) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).contains("<html");
    return r.statusCode();
  }
}
