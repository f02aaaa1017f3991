package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.Mapper;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Local mode keeps each attempt's stdout, stderr and log lines ({@link LocalAttemptLogs}, the
 * workers' {@code AttemptLogs} per run): the run's UI serves them while the job runs and after,
 * over a real socket, and so does {@code quern ui} (history) once the run is over; a second run,
 * whose job is again job-0001, does not mix its logs with the first's.
 */
class LocalLogsTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  /** The first run's job whose attempts printed (almost) nothing. */
  String quietId;

  /** Prints its record, on each stream, with a run's mark; waits at a gate when there is one. */
  public static final class Printing implements Mapper<Long, String, String, Long> {
    static volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      System.out.println("out " + line);
      System.err.println("err " + line);
      LoggerFactory.getLogger(Printing.class).warn("log {}", line);
      if (!gate.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the gate did not open");
      }
      ctx.emit(line, 1L);
    }
  }

  /** Prints a line that starts with "say " to stdout, and nothing else. */
  public static final class Quiet implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      if (line.startsWith("say ")) {
        System.out.println(line);
      }
      ctx.emit(line, 1L);
    }
  }

  Job printing(String name, String line) throws Exception {
    Path in = Files.createDirectories(dir.resolve(name + "-in"));
    Files.writeString(in.resolve("input.txt"), line + "\n");
    return Job.builder(name).user("tester").input(in.toString())
        .output(dir.resolve(name + "-out").toString()).mapper(Printing.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build();
  }

  HttpResponse<String> get(UiServer ui, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(ui.url() + path.substring(1)))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  String stdout(UiServer ui, String job) throws Exception {
    HttpResponse<String> r = get(ui, "/api/v1/jobs/" + job + "/attempts/m-00000_1/logs/stdout");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Quern-Worker")).isPresent();
    return r.body();
  }

  JobHandle run(Path history, String name, String line, boolean checkWhileRunning)
      throws Exception {
    LocalAttemptLogs logs = LocalAttemptLogs.under(history);
    dev.quern.worker.logs.AttemptLogs runLogs = logs.startRun();
    try (LocalCluster cluster = LocalCluster.start(LocalClusterOptions.defaults().withWorkers(1)
        .withAttemptLogs(runLogs));
        UiServer ui = UiServer.startLocal(cluster, 0, history)) {
      Printing.gate = new CountDownLatch(1);
      JobHandle h = cluster.submit(printing(name, line).spec());
      if (checkWhileRunning) {
        // While the map waits at its gate: its lines are in its files already.
        java.util.concurrent.atomic.AtomicReference<String> last =
            new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
        try {
          dev.quern.testkit.Await.until(Duration.ofSeconds(60), "the running map's stdout",
              () -> {
                try {
                  HttpResponse<String> r = get(ui, "/api/v1/jobs/" + h.id()
                      + "/attempts/m-00000_1/logs/stdout");
                  last.set(r.statusCode() + " " + r.body());
                  return r.statusCode() == 200 && r.body().equals("out " + line + "\n");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
        } catch (AssertionError | RuntimeException e) {
          throw new AssertionError("the last answer: " + last.get(), e);
        }
      }
      Printing.gate.countDown();
      assertThat(h.awaitCompletion(Duration.ofSeconds(120)).state())
          .isEqualTo(JobState.SUCCEEDED);
      assertThat(stdout(ui, h.id())).isEqualTo("out " + line + "\n");
      assertThat(get(ui, "/api/v1/jobs/" + h.id() + "/attempts/m-00000_1/logs/stderr").body())
          .isEqualTo("err " + line + "\n");
      assertThat(get(ui, "/api/v1/jobs/" + h.id() + "/attempts/m-00000_1/logs/log").body())
          .contains(" WARN ").contains(Printing.class.getSimpleName()).endsWith(
              " - log " + line + "\n");
      assertThat(get(ui, "/api/v1/jobs/" + h.id() + "/attempts/r-00000_1/logs/stdout").body())
          .as("the reduce printed nothing").isEmpty();
      HttpResponse<String> none = get(ui, "/api/v1/jobs/" + h.id()
          + "/attempts/m-00000_7/logs/stdout");
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body()).contains("has no attempt m-00000/7");
      assertThat(get(ui, "/api/v1/jobs/" + h.id() + "/attempts/..%2Fx/logs/stdout")
          .statusCode()).isIn(400, 404);
      if (checkWhileRunning) {
        quietAttemptsKeepNoFiles(cluster, ui, runLogs.root());
      }
      return h;
    }
  }

  /**
   * Two maps, one printing a line to stdout and one nothing, and a reduce printing nothing: only
   * the printing map's stdout is a file (the others are made at their first byte), and the UI
   * answers every stream of each, the missing ones as empty logs.
   */
  void quietAttemptsKeepNoFiles(LocalCluster cluster, UiServer ui, Path runDir)
      throws Exception {
    Path in = Files.createDirectories(dir.resolve("quiet-in"));
    Files.writeString(in.resolve("a.txt"), "hush\n");
    Files.writeString(in.resolve("b.txt"), "say hi\n");
    Job job = Job.builder("quiet").user("tester").input(in.toString())
        .output(dir.resolve("quiet-out").toString()).mapper(Quiet.class)
        .mapOutput(String.class, Long.class).reduceTasks(1)
        .set(dev.quern.api.io.CombinedSplits.COMBINE, "false").build();
    JobHandle h = cluster.submit(job.spec());
    assertThat(h.awaitCompletion(Duration.ofSeconds(120)).state())
        .isEqualTo(JobState.SUCCEEDED);
    quietId = h.id();
    List<String> kept;
    try (var files = Files.walk(runDir.resolve(h.id()))) {
      kept = files.filter(Files::isRegularFile)
          .map(f -> runDir.resolve(h.id()).relativize(f).toString()).toList();
    }
    assertThat(kept).hasSize(1);
    assertThat(kept.get(0)).matches("m-0000[01]_1/stdout");
    StringBuilder said = new StringBuilder();
    for (String attempt : List.of("m-00000_1", "m-00001_1", "r-00000_1")) {
      for (String stream : List.of("stdout", "stderr", "log")) {
        HttpResponse<String> r = get(ui, "/api/v1/jobs/" + h.id() + "/attempts/" + attempt
            + "/logs/" + stream);
        assertThat(r.statusCode()).as(attempt + " " + stream + ": " + r.body()).isEqualTo(200);
        if (stream.equals("stdout")) {
          said.append(r.body());
        } else {
          assertThat(r.body()).as(attempt + " " + stream).isEmpty();
          assertThat(r.headers().firstValue("X-Quern-Log-Size")).hasValue("0");
        }
      }
    }
    assertThat(said.toString()).isEqualTo("say hi\n");
  }

  @Test
  void aLocalRunKeepsEachAttemptsOutputForItsUiAndTheHistory() throws Exception {
    Path history = dir.resolve("history");
    JobHandle first = run(history, "first", "alpha", true);
    JobHandle second = run(history, "second", "beta", false);
    assertThat(second.id()).as("ids start again in every run").isEqualTo(first.id());
    try (var runs = Files.list(history.resolve(LocalAttemptLogs.DIR))) {
      assertThat(runs.toList()).as("one directory per run").hasSize(2);
    }
    try (UiServer ui = UiServer.startHistory(history, 0)) {
      assertThat(stdout(ui, second.id())).isEqualTo("out beta\n");
      List<String> ids = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(get(ui, "/api/v1/jobs").body()).findValuesAsText("id");
      String earlier = ids.stream().filter(i -> i.startsWith(first.id() + ".")).findFirst()
          .orElseThrow(() -> new AssertionError("the first run's job in " + ids));
      assertThat(stdout(ui, earlier)).as("the first run's job-0001").isEqualTo("out alpha\n");
      HttpResponse<String> quiet = get(ui, "/api/v1/jobs/" + quietId
          + "/attempts/r-00000_1/logs/log");
      assertThat(quiet.statusCode()).as(quiet.body()).isEqualTo(200);
      assertThat(quiet.body()).isEmpty();
    }
  }
}
