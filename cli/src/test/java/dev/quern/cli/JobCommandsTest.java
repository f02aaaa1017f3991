package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.master.http.UiServer;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import dev.quern.testkit.Await;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern list}, {@code status}, {@code kill} and {@code wait} against a real UI server (a
 * real socket) over a local cluster in this JVM that runs real jobs: what they print and their
 * exit codes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobCommandsTest {
  private static final long SEED = 20261202L;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};

  @TempDir static Path dir;
  private LocalCluster cluster;
  private UiServer ui;
  private String master;
  private JobStatus wordCount;
  private JobStatus failed;
  private long lines;
  private long distinctWords;
  private final AtomicInteger jobNumber = new AtomicInteger();

  @BeforeAll
  void startClusterAndRunJobs() throws Exception {
    cluster = LocalCluster.start(LocalClusterOptions.defaults().withWorkers(2)
        .withSlotsPerWorker(2).withWorkDir(dir.resolve("work")));
    ui = UiServer.startLocal(CompletableFuture.completedFuture(cluster), 0, null);
    master = "http://127.0.0.1:" + ui.port();

    Path in = Files.createDirectories(dir.resolve("words"));
    Random random = new Random(SEED);
    Set<String> seen = new HashSet<>();
    for (int f = 0; f < 3; f++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < 100 + f; line++) {
        for (int w = 0; w < 5; w++) {
          String word = WORDS[random.nextInt(WORDS.length)] + random.nextInt(10);
          seen.add(word);
          text.append(word).append(' ');
        }
        text.append('\n');
        lines++;
      }
      Files.writeString(in.resolve("part-" + f + ".txt"), text);
    }
    distinctWords = seen.size();
    wordCount = Job.builder("wordcount").user("tester").input(in.toString())
        .output(dir.resolve("wordcount-out").toString()).mapper(Tokenizer.class)
        .combiner(Sum.class).reducer(Sum.class).mapOutput(String.class, Long.class)
        .reduceTasks(2).build().submit(cluster).awaitCompletion(JOB_TIMEOUT);
    assertThat(wordCount.state()).as("%s", wordCount.failure()).isEqualTo(JobState.SUCCEEDED);

    Path one = Files.createDirectories(dir.resolve("one"));
    Files.writeString(one.resolve("input.txt"), "one line\n");
    failed = Job.builder("exploding").user("tester").input(one.toString())
        .output(dir.resolve("exploding-out").toString()).mapper(Exploding.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).set("quern.task.max-attempts", 1)
        .build().submit(cluster).awaitCompletion(JOB_TIMEOUT);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
  }

  @AfterEach
  void releaseGates() {
    Gate.OPEN.countDown();
  }

  @AfterAll
  void stop() {
    Gate.OPEN.countDown();
    if (ui != null) {
      ui.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A job of 2 maps that wait at {@link Gate#OPEN}, and 1 reduce; running when this returns. */
  private JobHandle gatedJob() throws IOException {
    Gate.OPEN = new CountDownLatch(1);
    String name = "gated" + jobNumber.incrementAndGet();
    Path in = Files.createDirectories(dir.resolve(name + "-in"));
    Files.writeString(in.resolve("a.txt"), "a\n");
    Files.writeString(in.resolve("b.txt"), "b\n");
    JobHandle h = Job.builder(name).user("tester").input(in.toString())
        .output(dir.resolve(name + "-out").toString()).mapper(Gate.class).combiner(Sum.class)
        .reducer(Sum.class).mapOutput(String.class, Long.class).reduceTasks(1).build()
        .submit(cluster);
    Await.until(JOB_TIMEOUT, "job " + h.id() + " to run",
        () -> h.status().state() == JobState.RUNNING);
    return h;
  }

  private CliRun quern(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--master";
    all[args.length + 1] = master;
    return CliRun.of(all);
  }

  @Test
  void listShowsEveryJobInATableAndAsJson() throws Exception {
    CliRun table = quern("list");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    List<String> rows = table.out().lines().toList();
    assertThat(rows.get(0)).matches("JOB +STATE +NAME +USER +MAP +REDUCE +SUBMITTED +DURATION");
    assertThat(rows).anySatisfy(r -> assertThat(r).matches(wordCount.id()
        + " +SUCCEEDED +wordcount +tester +100% +100% +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"
        + " +\\d+\\.\\d s"));
    assertThat(rows).anySatisfy(r -> assertThat(r).startsWith(failed.id())
        .contains(" FAILED ").contains(" exploding "));
    // The columns line up: every row has its state where the header has STATE.
    int stateColumn = rows.get(0).indexOf("STATE");
    assertThat(rows.subList(1, rows.size())).allSatisfy(r ->
        assertThat(r.substring(stateColumn)).matches("[A-Z]+ .*"));

    CliRun json = quern("list", "--json");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    Set<String> ids = new HashSet<>();
    for (JsonNode j : JSON.readTree(json.out())) {
      ids.add(j.get("id").asText());
      assertThat(j.get("state").asText()).isEqualTo(
          cluster.status(j.get("id").asText()).orElseThrow().state().name());
    }
    Set<String> expected = new HashSet<>();
    cluster.jobs().forEach(s -> expected.add(s.id()));
    assertThat(ids).isEqualTo(expected);

    CliRun onlyFailed = quern("list", "--state", "failed");
    assertThat(onlyFailed.exitCode()).as(onlyFailed.toString()).isZero();
    assertThat(onlyFailed.out().lines().skip(1).toList()).singleElement()
        .satisfies(r -> assertThat(r).startsWith(failed.id()));
    CliRun none = quern("list", "--state", "COMMITTING");
    assertThat(none.out()).isEqualTo("No jobs in state COMMITTING." + System.lineSeparator());
  }

  @Test
  void statusShowsTheJobItsCountersAndItsTasks() throws Exception {
    CliRun s = quern("status", wordCount.id(), "--tasks");
    assertThat(s.exitCode()).as(s.toString()).isZero();
    List<String> out = s.out().lines().toList();
    assertThat(out.get(0)).isEqualTo(wordCount.id() + " wordcount: SUCCEEDED");
    assertThat(out).contains("  user         tester",
        "  map          100%  3/3 done, 0 running, 0 failed attempt(s)",
        "  reduce       100%  2/2 done, 0 running, 0 failed attempt(s)",
        "  input        " + dir.resolve("words"),
        "  output       " + dir.resolve("wordcount-out"));
    assertThat(out).anySatisfy(l -> assertThat(l).matches(
        "  submitted    \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
    // The counters against what this test wrote.
    assertThat(out).contains(String.format("      %-26s %,d", "MAP_INPUT_RECORDS", lines),
        String.format("      %-26s %,d", "OUTPUT_RECORDS", distinctWords));
    assertThat(out).anySatisfy(l -> assertThat(l).matches("TASK +KIND +STATE +ATTEMPTS .*"));
    for (String task : List.of("m-00000", "m-00001", "m-00002", "r-00000", "r-00001")) {
      assertThat(out).anySatisfy(l -> assertThat(l).matches(task
          + " +(MAP|REDUCE) +DONE +1 +SUCCEEDED +worker-\\S+ +(partition \\d|\\S+:0\\+\\d+)"));
    }

    CliRun json = quern("status", "--json", wordCount.id());
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode doc = JSON.readTree(json.out());
    assertThat(doc.get("id").asText()).isEqualTo(wordCount.id());
    assertThat(doc.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(doc.get("counters").get("quern").get("MAP_INPUT_RECORDS").asLong()).isEqualTo(lines);

    CliRun f = quern("status", failed.id());
    assertThat(f.exitCode()).as(f.toString()).isZero();
    assertThat(f.out()).contains(failed.id() + " exploding: FAILED")
        .contains("  failure      ").contains(Exploding.MESSAGE);

    CliRun unknown = quern("status", "job-9999");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err()).contains("quern: no job 'job-9999' at 127.0.0.1:" + ui.port());
  }

  @Test
  void waitExitsWithTheJobsOutcome() {
    CliRun ok = quern("wait", wordCount.id());
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).matches(wordCount.id() + " wordcount SUCCEEDED in \\d+\\.\\d s\\R");

    CliRun bad = quern("wait", failed.id());
    assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
    assertThat(bad.out()).startsWith(failed.id() + " exploding FAILED in ")
        .contains(Exploding.MESSAGE);

    CliRun json = quern("wait", failed.id(), "--json");
    assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
    assertThat(json.out()).contains("\"state\" : \"FAILED\"");

    CliRun unknown = quern("wait", "job-9999", "--interval", "50");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    assertThat(unknown.err()).contains("no job 'job-9999'");
  }

  @Test
  void waitFollowsARunningJobPrintingEachChangeOnce() throws Exception {
    JobHandle h = gatedJob();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() ->
        CliRun.of(out, err, "wait", h.id(), "--master", master, "--interval", "50"));
    Await.until(JOB_TIMEOUT, "wait to print the running job", () -> out.toString().contains(
        h.id() + " " + h.status().name() + " RUNNING  map   0% (0/2)  reduce   0% (0/1)"));
    assertThat(waiting).isNotDone();
    Gate.OPEN.countDown();

    CliRun run = waiting.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(lines.size() - 1)).matches(h.id() + " gated\\d+ SUCCEEDED in \\d+\\.\\d s");
    List<String> progress = lines.subList(0, lines.size() - 1);
    assertThat(progress).isNotEmpty().allSatisfy(l -> assertThat(l)
        .matches(h.id() + " gated\\d+ (RUNNING|COMMITTING)  map +\\d+% \\(\\d/2\\)  reduce +\\d+% \\(\\d/1\\)"));
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i)).as("a line only when something changed")
          .isNotEqualTo(progress.get(i - 1));
    }
    assertThat(h.status().state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void killStopsARunningJobAndLeavesAnEndedOneAlone() throws Exception {
    JobHandle h = gatedJob();

    CliRun kill = quern("kill", h.id());

    assertThat(kill.exitCode()).as(kill.toString()).isZero();
    assertThat(kill.out()).matches("Killed " + h.id() + " \\(now KILLED\\): killed through the "
        + "HTTP API \\(a request from 127\\.0\\.0\\.1\\) at \\S+\\R");
    assertThat(h.awaitCompletion(JOB_TIMEOUT).state()).isEqualTo(JobState.KILLED);

    CliRun again = quern("kill", h.id());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).isEqualTo(h.id() + " is not running (KILLED); nothing to kill"
        + System.lineSeparator());
    CliRun json = quern("kill", "--json", wordCount.id());
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode doc = JSON.readTree(json.out());
    assertThat(doc.get("result").asText()).isEqualTo("NOT_RUNNING");
    assertThat(doc.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(cluster.status(wordCount.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

    CliRun waited = quern("wait", h.id());
    assertThat(waited.exitCode()).as(waited.toString()).isEqualTo(1);
    assertThat(waited.out()).startsWith(h.id() + " " + h.status().name() + " KILLED in ");

    CliRun unknown = quern("kill", "job-9999");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    assertThat(unknown.err()).contains("quern: no job 'job-9999'");
  }

  @Test
  void unreachableMastersAreExitCode4NamingEachOne() throws Exception {
    try (Socket held = new Socket()) {
      // Bound, never listening: a connection to it is refused.
      held.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      String dead = "127.0.0.1:" + held.getLocalPort();
      CliRun run = CliRun.of("list", "--master", "quern://" + dead, "--retry-for", "0");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).startsWith("quern: GET /api/v1/jobs: no master answered within ")
          .contains(dead + ": connection refused");

      // A dead master first in the list is skipped.
      CliRun skip = CliRun.of("status", wordCount.id(), "--master",
          "quern://" + dead + ",127.0.0.1:" + ui.port());
      assertThat(skip.exitCode()).as(skip.toString()).isZero();
      assertThat(skip.out()).startsWith(wordCount.id() + " wordcount: SUCCEEDED");
    }
  }

  @Test
  void aBadCommandLineIsExitCode2() {
    CliRun local = CliRun.of("list", "--master", "local[2]");
    assertThat(local.exitCode()).as(local.toString()).isEqualTo(2);
    assertThat(local.err()).contains("--master: master address 'local[2]' is neither");
    CliRun state = quern("list", "--state", "SLEEPING");
    assertThat(state.exitCode()).as(state.toString()).isEqualTo(2);
    assertThat(state.err()).contains("--state 'SLEEPING' is not one of");
    CliRun noJob = quern("status");
    assertThat(noJob.exitCode()).as(noJob.toString()).isEqualTo(2);
    assertThat(noJob.err()).contains("Missing required parameter: 'JOB'");
    CliRun help = CliRun.of("wait", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Exit codes: 0 done, 1 (wait) the job FAILED or was KILLED");
  }

  public static final class Tokenizer implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      for (String w : line.split("\\s+")) {
        if (!w.isEmpty()) {
          ctx.emit(w, 1L);
        }
      }
    }
  }

  public static final class Sum implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long sum = 0;
      for (long v : values) {
        sum += v;
      }
      ctx.emit(key, sum);
    }
  }

  public static final class Exploding implements Mapper<Long, String, String, Long> {
    static final String MESSAGE = "bad record on purpose";

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      throw new IllegalStateException(MESSAGE);
    }
  }

  /** Emits each line once the test opens the gate (or the attempt is killed). */
  public static final class Gate implements Mapper<Long, String, String, Long> {
    static volatile CountDownLatch OPEN = new CountDownLatch(1);

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      if (!OPEN.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never opened the gate");
      }
      ctx.emit(line, 1L);
    }
  }
}
