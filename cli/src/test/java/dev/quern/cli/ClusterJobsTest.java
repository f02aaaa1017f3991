package dev.quern.cli;

import static dev.quern.cli.ClusterProcessesTest.MASTER_READY;
import static dev.quern.cli.ClusterProcessesTest.WORKER_READY;
import static dev.quern.cli.ClusterProcessesTest.quern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a cluster of real processes: three {@code quern master} JVMs running the job book on
 * Raft, two {@code quern worker} JVMs, and {@code quern submit --master quern://...} as a client
 * process. The output is checked against a count made here; the leader's SIGKILL in the middle
 * of a job must not change it.
 */
@Timeout(600)
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
class ClusterJobsTest {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration JOB = Duration.ofSeconds(240);
  private static final String WORDCOUNT = "dev.quern.examples.wordcount.WordCount";

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** A running cluster: masters by id with their HTTP addresses, and the client's address. */
  private record Cluster(Map<String, TestProcess> masters, Map<String, String> httpOf,
      Map<String, TestProcess> workers) {
    String address() {
      return "quern://" + String.join(",", httpOf.values());
    }
  }

  private Cluster start(TestProcesses procs) throws IOException {
    return start(procs, false);
  }

  /**
   * The command of a cluster process; {@code jobsInJarsOnly}: without this module's test classes
   * and the examples on its class path, so a job's classes load only from its jar.
   */
  private static List<String> command(boolean jobsInJarsOnly, String... args) {
    List<String> cmd = new java.util.ArrayList<>(quern(args));
    if (jobsInJarsOnly) {
      int cp = cmd.indexOf("-cp") + 1;
      cmd.set(cp, Stream.of(cmd.get(cp).split(java.io.File.pathSeparator))
          .filter(e -> !e.contains("test-classes") && !e.contains("jobs-examples"))
          .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
    }
    return cmd;
  }

  private Cluster start(TestProcesses procs, boolean jobsInJarsOnly) throws IOException {
    Path conf = ClusterProcessesTest.fastConfig(tmp);
    int[] ports = FreePorts.choose(3);
    String peers = "m1=127.0.0.1:" + ports[0] + ",m2=127.0.0.1:" + ports[1] + ",m3=127.0.0.1:"
        + ports[2];
    Map<String, TestProcess> masters = new TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      String id = "m" + i;
      masters.put(id, procs.start(id, new ProcessBuilder(command(jobsInJarsOnly, "master",
          "--config",
          conf.toString(), "--id", id, "--data", tmp.resolve(id).toString(), "--peers", peers,
          "--http", "127.0.0.1:0"))));
    }
    Map<String, String> httpOf = new TreeMap<>();
    for (Map.Entry<String, TestProcess> m : masters.entrySet()) {
      httpOf.put(m.getKey(), m.getValue().awaitLine(MASTER_READY, START).group(3));
    }
    dev.quern.testkit.ChildJvm.archive();
    String mastersArg = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:"
        + ports[2];
    Map<String, TestProcess> workers = new TreeMap<>();
    for (String id : List.of("w1", "w2")) {
      List<String> args = new java.util.ArrayList<>(List.of("worker", "--config",
          conf.toString(), "--id", id, "--masters", mastersArg, "--slots", "2", "--data",
          tmp.resolve(id).toString()));
      if (id.equals("w1")) {
        // w2 learns the masters' HTTP addresses from the leader (MasterDirectory) instead.
        args.addAll(List.of("--master-http", String.join(",", httpOf.values())));
      }
      workers.put(id, procs.start(id, new ProcessBuilder(command(jobsInJarsOnly,
          args.toArray(String[]::new)))));
    }
    for (TestProcess w : workers.values()) {
      w.awaitLine(WORKER_READY, START);
    }
    Cluster c = new Cluster(masters, httpOf, workers);
    Await.until(START, "a leader that lists w1 and w2", () -> leader(c).map(l ->
        get(c.httpOf().get(l), "/api/cluster/workers").map(d -> d.path("workers").size() == 2)
            .orElse(false)).orElse(false));
    return c;
  }

  /** The master every live master names as leader, if they agree. */
  private Optional<String> leader(Cluster c) {
    String agreed = null;
    for (Map.Entry<String, String> m : c.httpOf().entrySet()) {
      if (!c.masters().get(m.getKey()).isAlive()) {
        continue;
      }
      Optional<JsonNode> s = get(m.getValue(), "/api/cluster");
      if (s.isEmpty() || s.get().path("leaderId").asText().isEmpty()) {
        return Optional.empty();
      }
      String l = s.get().path("leaderId").asText();
      if (agreed != null && !agreed.equals(l)) {
        return Optional.empty();
      }
      agreed = l;
    }
    return Optional.ofNullable(agreed);
  }

  private Optional<JsonNode> get(String hostPort, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://" + hostPort + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      pause();
      return r.statusCode() == 200 ? Optional.of(ClusterHttpClient.JSON.readTree(r.body()))
          : Optional.empty();
    } catch (IOException e) {
      pause();
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polling pace: the condition waits are bounded, this only keeps them from spinning. */
  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code files} text files of seeded words (a Zipf-like skew over a small vocabulary). */
  private static Path corpus(Path dir, Seed seed, int files, int linesPerFile) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom r = seed.random();
    for (int f = 0; f < files; f++) {
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("part-" + f + ".txt"))) {
        for (int l = 0; l < linesPerFile; l++) {
          int words = 1 + r.nextInt(12);
          for (int i = 0; i < words; i++) {
            int rank = (int) Math.min(4_999, Math.floor(1 / (r.nextDouble() + 1e-4)));
            w.write((i == 0 ? "" : (r.nextInt(8) == 0 ? "\t" : " ")) + "w" + rank
                + (rank % 7 == 0 ? "é" : ""));
          }
          w.write('\n');
        }
      }
    }
    return dir;
  }

  /** The count made here, independently of the engine: whitespace-separated tokens. */
  private static Map<String, Long> expected(Path dir) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          for (String t : line.split("[ \t]+")) {
            if (!t.isEmpty()) {
              counts.merge(t, 1L, Long::sum);
            }
          }
        }
      }
    }
    return counts;
  }

  /** The job's output: one {@code word TAB count} line per word over all part files. */
  private static Map<String, Long> output(Path out) throws IOException {
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS in " + out);
    assertFalse(Files.exists(out.resolve("_temporary")), "_temporary left in " + out);
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted()
          .toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          int tab = line.lastIndexOf('\t');
          Long old = counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
          assertEquals(null, old, "word " + line + " written twice");
        }
      }
    }
    return counts;
  }

  /** The id of the cluster's only job. */
  private String jobs1Id(Cluster c) {
    return get(c.httpOf().get("m1"), "/api/v1/jobs").orElseThrow().get(0).path("id").asText();
  }

  private TestProcess submit(TestProcesses procs, String name, Cluster c, Path jar, Path in,
      Path out) {
    return procs.start(name, new ProcessBuilder(quern("submit", "--master", c.address(),
        jar.toString(), WORDCOUNT, in.toString(), out.toString())));
  }

  @Test
  void wordCountOnAClusterEqualsACountMadeHere(TestProcesses procs, Seed seed) throws Exception {
    Cluster c = start(procs);
    Path in = corpus(tmp.resolve("in"), seed, 5, 4_000);
    Path out = tmp.resolve("out");
    Path jar = TestJars.examplesJar(tmp.resolve("examples.jar"), null);
    TestProcess client = submit(procs, "client", c, jar, in, out);
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(expected(in), output(out));

    // The client stored the jar by its hash on the masters; the job names it so, and the
    // workers fetched it from them.
    String sha = dev.quern.master.cluster.jars.JarUpload.sha256(jar);
    long holders = List.of("m1", "m2", "m3").stream()
        .filter(m -> Files.exists(tmp.resolve(m).resolve("jars").resolve(sha + ".jar"))).count();
    assertTrue(holders >= 2, "the jar is on " + holders + " master(s)");
    for (String w : List.of("w1", "w2")) {
      assertTrue(Files.exists(tmp.resolve(w).resolve("jars").resolve(sha + ".jar")),
          w + " fetched the jar");
    }

    // Every master shows the job from its own copy of the book, SUCCEEDED, with its tasks.
    for (String m : c.httpOf().keySet()) {
      JsonNode jobs = Await.value(JOB, "master " + m + " lists the job",
          () -> get(c.httpOf().get(m), "/api/v1/jobs").filter(j -> j.size() == 1
              && j.get(0).path("state").asText().equals("SUCCEEDED")).orElse(null));
      assertEquals(5, jobs.get(0).path("map").path("tasks").asInt(), jobs::toString);
      assertEquals(5, jobs.get(0).path("map").path("done").asInt(), jobs::toString);
    }

    // The job's map outputs are gone from the workers' scratch once it ended.
    for (String w : List.of("w1", "w2")) {
      Path scratch = tmp.resolve(w).resolve("scratch").resolve(jobs1Id(c));
      Await.until(START, scratch + " removed", () -> !Files.exists(scratch));
    }

    // The UI's cluster document on any master names the three masters and the one leader.
    for (String m : c.httpOf().keySet()) {
      JsonNode doc = get(c.httpOf().get(m), "/api/v1/cluster").orElseThrow();
      assertEquals(3, doc.path("masters").size(), doc::toString);
      long leaders = 0;
      for (JsonNode master : doc.path("masters")) {
        leaders += master.path("role").asText().equals("leader") ? 1 : 0;
      }
      assertEquals(1, leaders, doc::toString);
    }

    // --detach returns once the job is accepted, printing its id; the job finishes without it.
    Path detachedOut = tmp.resolve("out-detached");
    TestProcess detached = procs.start("client-detached", new ProcessBuilder(quern("submit",
        "--detach", "--master", c.address(), jar.toString(), WORDCOUNT, in.toString(),
        detachedOut.toString())));
    assertEquals(0, detached.awaitExit(JOB), () -> detached.tail(60));
    String id = detached.log().lines().filter(l -> l.matches("job-\\d{4}")).findFirst()
        .orElseThrow(() -> new AssertionError("no job id printed: " + detached.tail(60)));
    Await.until(JOB, id + " succeeded", () -> get(c.httpOf().get("m1"), "/api/v1/jobs/" + id)
        .map(j -> j.path("state").asText().equals("SUCCEEDED")).orElse(false));
    assertEquals(expected(in), output(detachedOut));

    // A second job on the same output directory is refused by the book, naming the directory.
    TestProcess again = submit(procs, "client-again", c, jar, in, out);
    assertEquals(1, again.awaitExit(JOB), () -> again.tail(60));
    assertTrue(again.log().contains(out.toString()), () -> again.tail(60));
  }

  /**
   * A job whose input format has its own split class, which exists only in the job jar: the
   * masters carry its splits as bytes, the workers read them with the jar's class loader.
   */
  @Test
  void aJobWithItsOwnSplitClassRunsOnACluster(TestProcesses procs, Seed seed) throws Exception {
    Cluster c = start(procs, true);
    SplittableRandom r = seed.random();
    long count = 50_000 + r.nextInt(50_000);
    int maps = 3 + r.nextInt(5);
    Path out = tmp.resolve("out");
    Path jar = TestJars.jarOf(tmp.resolve("ranges.jar"), NumberRanges.class);
    TestProcess client = procs.start("client", new ProcessBuilder(quern("submit", "--master",
        c.address(), jar.toString(), NumberRanges.class.getName(), Long.toString(count),
        Integer.toString(maps), out.toString())));
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));

    Map<String, Long> expected = new TreeMap<>();
    for (long n = 0; n < count; n++) {
      expected.merge("r" + (n % 7), n, Long::sum);
    }
    assertEquals(expected, output(out), "count " + count + ", maps " + maps);
    JsonNode job = get(c.httpOf().get(leader(c).orElseThrow()), "/api/v1/jobs").orElseThrow()
        .get(0);
    assertEquals(maps, job.path("map").path("done").asInt(), job::toString);
  }

  @Test
  void theLeadersDeathDuringAJobDoesNotChangeItsOutput(TestProcesses procs, Seed seed)
      throws Exception {
    Cluster c = start(procs);
    Path in = corpus(tmp.resolve("in"), seed, 12, 20_000);
    Path out = tmp.resolve("out");
    Path jar = TestJars.examplesJar(tmp.resolve("examples.jar"), null);
    String leader = leader(c).orElseThrow();
    TestProcess client = submit(procs, "client", c, jar, in, out);
    // Kill the leader once the job runs and its first map is done: the rest runs under the next.
    JsonNode running = Await.value(JOB, "the job's first map done", () -> get(
        c.httpOf().get(leader), "/api/v1/jobs").filter(j -> j.size() == 1
            && j.get(0).path("map").path("done").asInt() >= 1).orElse(null));
    String jobId = running.get(0).path("id").asText();
    assertTrue(Files.exists(tmp.resolve("w1").resolve("scratch").resolve(jobId))
        || Files.exists(tmp.resolve("w2").resolve("scratch").resolve(jobId)),
        "a done map's output lies in a worker's scratch");
    c.masters().get(leader).killTree();
    // The leader died with the job under way, not after it.
    assertEquals("RUNNING", running.get(0).path("state").asText(), running::toString);
    assertTrue(running.get(0).path("map").path("done").asInt() < 12, running::toString);
    assertEquals(0, client.awaitExit(JOB), () -> client.tail(60));
    assertEquals(expected(in), output(out));
    String next = Await.value(START, "a new leader", () -> leader(c).orElse(null));
    assertFalse(next.equals(leader));
    JsonNode job = get(c.httpOf().get(next), "/api/v1/jobs").orElseThrow().get(0);
    assertEquals("SUCCEEDED", job.path("state").asText(), job::toString);
    assertEquals(12, job.path("map").path("done").asInt(), job::toString);
  }
}
