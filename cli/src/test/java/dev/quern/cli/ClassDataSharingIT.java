package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import dev.quern.testkit.WordCorpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quern}'s class-data-sharing archive, over the packaged build (run by failsafe after
 * {@code package}): the first run that starts a cluster writes it, the next ones map it, and a
 * missing, truncated, damaged, foreign or unwritable archive never costs a run its result.
 */
@ExtendWith({Seeds.class, TestProcesses.Extension.class})
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClassDataSharingIT {
  private static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();
  /** One run of bin/quern, the archive's dump after it included. */
  private static final Duration RUN = Duration.ofMinutes(3);

  @TempDir static Path shared;
  private static Path input;
  private static Map<String, Long> expected;

  @TempDir Path dir;
  private TestProcesses procs;
  private int runs;

  /** The corpus of every test; a failure names the seed that makes it again. */
  @BeforeAll
  static void corpus(Seed seed) throws IOException {
    WordCorpus corpus =
        WordCorpus.write(shared.resolve("in.txt"), seed.random(), 300, 12, 50, false);
    input = corpus.file();
    expected = corpus.counts();
  }

  @BeforeEach
  void processes(TestProcesses procs) {
    this.procs = procs;
  }

  @Test
  void firstJobRunWritesTheArchiveAndTheNextRunMapsIt() throws Exception {
    Path cds = dir.resolve("cds");
    Run first = wordcount(cds, "out1");
    first.assertCounted(expected);
    Path archive = onlyArchive(cds);
    assertThat(archive.getFileName().toString())
        .endsWith("-" + Files.size(archive) + ".jsa");

    Path classLog = dir.resolve("classes.log");
    Run second = wordcount(cds, "out2", "-Xlog:class+load:file=" + classLog);
    second.assertCounted(expected);
    // Ours, and picocli's too: a static archive holds classes of old class-file versions.
    assertThat(Files.readString(classLog))
        .contains("dev.quern.cli.Main source: shared objects file")
        .contains("picocli.CommandLine source: shared objects file");
    assertThat(onlyArchive(cds)).isEqualTo(archive);
  }

  @Test
  void aRunThatStartsNoClusterWritesNoArchive() throws Exception {
    Path cds = dir.resolve("cds");
    Run help = run(cds, List.of(), "examples");
    assertThat(help.exit()).as(help.toString()).isZero();
    Run version = run(cds, List.of(), "--version");
    assertThat(version.exit()).as(version.toString()).isZero();
    assertThat(filesIn(cds)).isEmpty();
  }

  @Test
  void aTruncatedArchiveIsDroppedAndWrittenAgain() throws Exception {
    Path cds = dir.resolve("cds");
    wordcount(cds, "out1").assertCounted(expected);
    Path archive = onlyArchive(cds);
    byte[] head = new byte[(int) Math.min(Files.size(archive), 64 * 1024)];
    try (var in = Files.newInputStream(archive)) {
      in.readNBytes(head, 0, head.length);
    }
    archive.toFile().setWritable(true);
    Files.write(archive, head);

    wordcount(cds, "out2").assertCounted(expected);
    Path again = onlyArchive(cds);
    assertThat(again.getFileName().toString()).endsWith("-" + Files.size(again) + ".jsa");
  }

  @Test
  void aDamagedOrForeignArchiveIsIgnored() throws Exception {
    Path cds = dir.resolve("cds");
    wordcount(cds, "out1").assertCounted(expected);
    Path archive = onlyArchive(cds);
    String name = archive.getFileName().toString();
    String key = name.substring(0, name.lastIndexOf('-'));
    // Garbage of the size its name gives: the JVM refuses the header and runs without it.
    byte[] garbage = new byte[4096];
    new Random(1).nextBytes(garbage);
    Files.delete(archive);
    Path damaged = cds.resolve(key + "-" + garbage.length + ".jsa");
    Files.write(damaged, garbage);
    wordcount(cds, "out2").assertCounted(expected);
    // Another build's archive (another key) is never mapped, and goes when a new one is written.
    Files.delete(damaged);
    Path foreign = cds.resolve("quern-1-" + garbage.length + ".jsa");
    Files.write(foreign, garbage);
    wordcount(cds, "out3").assertCounted(expected);
    assertThat(foreign).doesNotExist();
    assertThat(onlyArchive(cds).getFileName().toString()).startsWith(key + "-");
  }

  @Test
  void anUnwritableCacheDirectoryOnlyTurnsSharingOff() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    wordcount(file.resolve("cds"), "out1").assertCounted(expected);
    wordcount(dir.resolve("off"), "out2", List.of(), Map.of("QUERN_CDS", "off"))
        .assertCounted(expected);
    assertThat(dir.resolve("off")).doesNotExist();
  }

  /**
   * A local job's start verifies no jar signature (Pekko's version check reads only Pekko's
   * manifests: PekkoManifests in the master) and builds only the command it runs
   * (Main.commandLine(args)), with the archive mapped and with sharing off; the result is right.
   */
  @Test
  void aLocalJobVerifiesNoJarSignatureAndBuildsOnlyItsOwnCommand() throws Exception {
    Path cds = dir.resolve("cds");
    wordcount(cds, "out1").assertCounted(expected);
    onlyArchive(cds);
    for (boolean sharing : new boolean[] {true, false}) {
      Path classLog = dir.resolve("classes-" + sharing + ".log");
      wordcount(cds, "out-" + sharing, List.of("-Xlog:class+load:file=" + classLog),
          sharing ? Map.of() : Map.of("QUERN_CDS", "off")).assertCounted(expected);
      String classes = Files.readString(classLog);
      assertThat(classes).as("classes loaded, sharing %s: %s", sharing, classLog)
          .contains("dev.quern.cli.ExamplesCommand source: ")
          // The version check still runs, on Pekko's jars.
          .contains("org.apache.pekko.util.ManifestInfo source: ")
          .doesNotContain("sun.security.pkcs.PKCS7 source: ")
          .doesNotContain("dev.quern.cli.MasterProcessCommand source: ")
          .doesNotContain("dev.quern.cli.ClusterStartCommand source: ");
      assertThat(classes.contains("dev.quern.cli.Main source: shared objects file"))
          .isEqualTo(sharing);
    }
  }

  private Run wordcount(Path cds, String out, String... javaOpts) {
    return wordcount(cds, out, List.of(javaOpts), Map.of());
  }

  private Run wordcount(Path cds, String out, List<String> javaOpts, Map<String, String> env) {
    Path outDir = dir.resolve(out);
    Run r = run(cds, javaOpts, env, "examples", "--ui-port", "0", "--master", "local[1]",
        "wordcount", input.toString(), outDir.toString());
    return r.withOutput(outDir);
  }

  private Run run(Path cds, List<String> javaOpts, String... args) {
    return run(cds, javaOpts, Map.of(), args);
  }

  private Run run(Path cds, List<String> javaOpts, Map<String, String> env, String... args) {
    String name = "quern-" + (++runs) + "-" + args[0].replaceFirst("^-+", "");
    // Standard error apart (the runs must print nothing there), kept with the run's log.
    Path err = procs.logDir().resolve(name + ".stderr.log");
    List<String> command = new ArrayList<>(List.of("bash", "-c", "exec 2>\"$0\" && exec \"$@\"",
        err.toString(), ROOT.resolve("bin/quern").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("QUERN_CDS_DIR", cds.toString());
    pb.environment().put("QUERN_JAVA_OPTS", String.join(" ", javaOpts)
        + " -Dquern.history.dir=" + dir.resolve("history"));
    pb.environment().putAll(env);
    TestProcess quern = procs.start(name, pb);
    int exit = quern.awaitExit(RUN);
    return new Run(exit, quern.log(), read(err), null, quern.logFile());
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path onlyArchive(Path cds) throws IOException {
    List<Path> files = filesIn(cds);
    assertThat(files).as("files in %s", cds).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).matches("quern-\\d+-\\d+\\.jsa");
    return files.get(0);
  }

  private static List<Path> filesIn(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  private record Run(int exit, String out, String err, Path output, Path log) {
    Run withOutput(Path o) {
      return new Run(exit, out, err, o, log);
    }

    void assertCounted(Map<String, Long> want) throws IOException {
      assertThat(exit).as(toString()).isZero();
      assertThat(err).as(toString()).isBlank();
      Map<String, Long> got = new TreeMap<>();
      try (Stream<Path> parts = Files.list(output)) {
        for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-"))
            .toList()) {
          for (String line : Files.readAllLines(part)) {
            String[] kv = line.split("\t");
            got.put(kv[0], Long.parseLong(kv[1]));
          }
        }
      }
      assertThat(got).isEqualTo(want);
    }

    @Override
    public String toString() {
      return "exit " + exit + " (log " + log + ")\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
