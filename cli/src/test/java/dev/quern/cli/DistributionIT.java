package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import dev.quern.testkit.WordCorpus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution, {@code cli/target/quern-VERSION.tar.gz} (run by failsafe after
 * {@code package}), unpacked into a temporary directory outside the source tree and run from
 * there: the examples in local mode, and on a cluster that its {@code bin/quern cluster start}
 * launches, whose processes run the unpacked jars and read its {@code conf/quern.conf}.
 */
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class DistributionIT {
  private static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();
  /** cli/target/quern-VERSION.tar.gz (cli/pom.xml names it). */
  private static final Path TARBALL = Path.of(System.getProperty("quern.dist", "unset"));
  /** One command's bound (a loaded 2-core machine starts a JVM slowly; a cluster, five). */
  private static final Duration RUN = Duration.ofMinutes(4);
  private static final int START_TIMEOUT_SECONDS = 240;
  private static final Pattern SNAPSHOTS_TAKEN =
      Pattern.compile("(?m)^quern_raft_snapshots_total\\{event=\"taken\"} (\\d+)");

  @TempDir static Path unpacked;
  private static Path home;
  private static Path input;
  private static Map<String, Long> expected;

  @TempDir Path dir;
  private TestProcesses procs;

  /** Unpacks the tarball as a user would, and writes the corpus (its seed names a failure). */
  @BeforeAll
  static void unpackAndWriteTheCorpus(Seed seed) throws Exception {
    assertThat(TARBALL).as("the distribution; 'mvn package' builds it unless "
        + "-Dquern.dist.skip=true").isRegularFile();
    assertThat(unpacked.toRealPath().startsWith(ROOT.toRealPath()))
        .as("%s lies outside the source tree %s", unpacked, ROOT).isFalse();
    Process tar = new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", unpacked.toString())
        .redirectErrorStream(true).start();
    String tarOut = new String(tar.getInputStream().readAllBytes());
    assertThat(tar.waitFor(2, TimeUnit.MINUTES)).as("tar ended").isTrue();
    assertThat(tar.exitValue()).as("tar -xzf %s: %s", TARBALL, tarOut).isZero();
    List<Path> top;
    try (Stream<Path> s = Files.list(unpacked)) {
      top = s.toList();
    }
    assertThat(top).as("one directory at the top of %s", TARBALL).hasSize(1);
    home = top.get(0);
    assertThat(home.getFileName().toString())
        .isEqualTo(TARBALL.getFileName().toString().replace(".tar.gz", ""));
    assertThat(home.resolve("cds")).as("no class-data archive of the build's paths").doesNotExist();

    WordCorpus corpus =
        WordCorpus.write(unpacked.resolve("in.txt"), seed.random(), 400, 10, 60, true);
    input = corpus.file();
    expected = corpus.counts();
  }

  @BeforeEach
  void processes(TestProcesses procs) {
    this.procs = procs;
  }

  @Test
  void theLayoutHoldsTheCommandItsJarsAndACommentedConfiguration() throws IOException {
    assertThat(home.resolve("bin/quern")).isExecutable();
    assertThat(home.resolve("lib/quern-cli.jar")).isRegularFile();
    assertThat(home.resolve("examples/quern-examples.jar")).isRegularFile();
    assertThat(home.resolve("api/quern-api.jar")).isRegularFile();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString()))
          .as("the jars the source tree's cli/target/lib holds, and the cli jar")
          .containsAll(jarNames(ROOT.resolve("cli/target/lib"))).contains("quern-cli.jar");
    }
    // As shipped, the file changes nothing: every setting in it is commented out.
    assertThat(Files.readString(home.resolve("conf/quern.conf")))
        .isEqualTo(Files.readString(ROOT.resolve("conf/quern.conf")));
  }

  @Test
  void theExamplesRunInLocalModeFromTheUnpackedDirectory() throws IOException {
    Path out = dir.resolve("out");
    Run run = quern("local", "examples", "--ui-port", "0", "--master", "local[2]", "wordcount",
        input.toString(), out.toString());
    run.assertSucceeded();
    assertThat(counts(out)).as("word counts of %s (%s)", input, run).isEqualTo(expected);
  }

  @Test
  void aClusterStartedFromTheUnpackedDirectoryRunsTheExamplesAndReadsItsConfiguration()
      throws Exception {
    // A user's edit of the shipped file: every master snapshots after 2 entries (default 10000),
    // which its /metrics shows, so the cluster's processes must have read it.
    Path conf = home.resolve("conf/quern.conf");
    String shipped = Files.readString(conf);
    assertThat(shipped).contains("  #snapshot-every = 10000\n");
    Files.writeString(conf, shipped.replace("  #snapshot-every = 10000\n",
        "  snapshot-every = 2\n"));
    Path cluster = dir.resolve("cluster");
    List<ClusterDir.Proc> started = List.of();
    try {
      Run start = quern("cluster-start", "cluster", "start", "--masters", "3", "--workers", "2",
          "--dir", cluster.toString(), "--timeout", Integer.toString(START_TIMEOUT_SECONDS));
      started = new ClusterDir(cluster).read();
      start.assertSucceeded();
      assertThat(started).hasSize(5);
      for (ClusterDir.Proc p : started) {
        String command = p.handle().flatMap(h -> h.info().commandLine()).orElse("");
        assertThat(command).as("%s %s runs the unpacked jars", p.kind(), p.id())
            .contains("-cp " + home.resolve("lib/quern-cli.jar"))
            .doesNotContain(ROOT.resolve("cli/target").toString());
      }

      String address = Files.readString(cluster.resolve(ClusterDir.ADDRESS)).strip();
      assertThat(address).startsWith("quern://");
      Path out = dir.resolve("out");
      Run job = quern("cluster-wordcount", "examples", "--master", address, "wordcount",
          input.toString(), out.toString());
      job.assertSucceeded();
      assertThat(counts(out)).as("word counts of %s on the cluster (%s)", input, job)
          .isEqualTo(expected);

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
      Await.until(Duration.ofMinutes(1), "a master to report a snapshot (snapshot-every = 2 in "
          + conf + ")", () -> snapshotsTaken(http, new ClusterDir(cluster).read()) > 0);

      quern("cluster-stop", "cluster", "stop", "--dir", cluster.toString()).assertSucceeded();
      for (ClusterDir.Proc p : started) {
        assertThat(p.alive()).as("%s %s (pid %d) after 'cluster stop'", p.kind(), p.id(), p.pid())
            .isFalse();
      }
    } finally {
      Files.writeString(conf, shipped);
      List<ClusterDir.Proc> all = new ArrayList<>(started);
      if (Files.isRegularFile(cluster.resolve(ClusterDir.PROCESSES))) {
        all.addAll(new ClusterDir(cluster).read());
      }
      for (ClusterDir.Proc p : all) {
        p.handle().ifPresent(h -> {
          h.destroyForcibly();
          h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
      }
    }
  }

  /** Snapshots taken, summed over the masters that answer. */
  private static long snapshotsTaken(HttpClient http, List<ClusterDir.Proc> procs) {
    long taken = 0;
    for (ClusterDir.Proc p : procs) {
      if (!p.kind().equals("master")) {
        continue;
      }
      try {
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
            URI.create("http://" + p.http() + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        Matcher m = SNAPSHOTS_TAKEN.matcher(metrics.body());
        if (metrics.statusCode() == 200 && m.find()) {
          taken += Long.parseLong(m.group(1));
        }
      } catch (IOException e) {
        // not answering now: the next poll asks again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return taken;
      }
    }
    return taken;
  }

  /**
   * {@code bin/quern ARGS} of the unpacked distribution, from a working directory outside the
   * source tree, with none of the caller's Quern settings, and its history in the test's dir.
   */
  private Run quern(String name, String... args) {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/quern").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("QUERN_"));
    env.put("QUERN_JAVA_OPTS", "-Dquern.history.dir=" + dir.resolve("history"));
    TestProcess p = procs.start(name, pb);
    int exit = p.awaitExit(RUN);
    return new Run(String.join(" ", command), exit, p);
  }

  private record Run(String command, int exit, TestProcess process) {
    void assertSucceeded() {
      assertThat(exit).as("exit status of %s", this).isZero();
    }

    @Override
    public String toString() {
      return command + ": exit " + exit + ", log " + process.logFile() + ":\n" + process.tail(40);
    }
  }

  private static Map<String, Long> counts(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).isRegularFile();
    Map<String, Long> got = new TreeMap<>();
    try (Stream<Path> parts = Files.list(out)) {
      for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-"))
          .toList()) {
        for (String line : Files.readAllLines(part)) {
          String[] kv = line.split("\t");
          assertThat(got.put(kv[0], Long.parseLong(kv[1]))).as("%s once", kv[0]).isNull();
        }
      }
    }
    return got;
  }

  private static List<String> jarNames(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
    }
  }
}
