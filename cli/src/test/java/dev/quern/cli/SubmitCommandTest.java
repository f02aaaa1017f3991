package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringTokenizer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern submit} and {@code quern examples} run in-process on jars built here from the
 * examples' classes: the good path end to end, and each bad input ending in one line on stderr
 * and a non-zero exit code.
 */
class SubmitCommandTest {
  private static final String WORDCOUNT = "dev.quern.examples.wordcount.WordCount";

  @TempDir static Path shared;
  private static Path plainJar;
  private static Path manifestJar;
  private static Path input;

  @TempDir Path dir;

  @BeforeAll
  static void buildJarsAndInput() throws Exception {
    plainJar = TestJars.examplesJar(shared.resolve("examples.jar"), null);
    manifestJar = TestJars.examplesJar(shared.resolve("wordcount.jar"), WORDCOUNT);
    input = shared.resolve("in");
    Files.createDirectories(input);
    Files.writeString(input.resolve("a.txt"), "the quick brown fox\njumps over the lazy dog\n");
    Files.writeString(input.resolve("b.txt"), "the dog\r\n\r\nsleeps  \tthe end");
  }

  @Test
  void submitsAJarEndToEndAndPrintsTheSummary() throws Exception {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("submit", "--ui-port", "0",
        "--master", "local[2]", plainJar.toString(), WORDCOUNT,
        input.toString(), out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("wordcount SUCCEEDED").contains("MAP_INPUT_RECORDS");
    assertThat(readCounts(out)).isEqualTo(plainCounts(input));
  }

  @Test
  void usesTheManifestMainClassAndPassesDashDEntries() throws Exception {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("submit", "--ui-port", "0",
        "--master", "local[1]", "-Dquern.input.split-size=16",
        manifestJar.toString(), input.toString(), out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(readCounts(out)).isEqualTo(plainCounts(input));
  }

  @Test
  void listsAndRunsTheBundledExamples() throws Exception {
    String before = System.setProperty(ExamplesJar.PROPERTY, plainJar.toString());
    try {
      CliRun list = CliRun.of("examples");
      assertThat(list.exitCode()).as(list.toString()).isZero();
      assertThat(list.out()).contains("wordcount").contains("invertedindex").contains("grep");

      Path out = dir.resolve("out");
      CliRun run = CliRun.of("examples", "--ui-port", "0",
          "--master", "local[1]", "grep", input.toString(),
          out.toString(), "the|dog");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(Files.readAllLines(out.resolve("part-r-00000")))
          .containsExactly("the\t4", "dog\t2");

      CliRun unknown = CliRun.of("examples", "nope");
      assertOneLineError(unknown, 1, "no example named 'nope'; the examples are: "
          + "wordcount, invertedindex, grep");
    } finally {
      if (before == null) {
        System.clearProperty(ExamplesJar.PROPERTY);
      } else {
        System.setProperty(ExamplesJar.PROPERTY, before);
      }
    }
  }

  @Test
  void aMainClassThatIsNotInTheJar() {
    CliRun run = CliRun.of("submit", plainJar.toString(), "com.acme.Missing", "in", "out");
    assertOneLineError(run, 1, "class com.acme.Missing not found in " + plainJar);
  }

  @Test
  void aJarWithoutMainClassAndNoClassGiven() {
    CliRun run = CliRun.of("submit", plainJar.toString());
    assertOneLineError(run, 1, plainJar + " names no Main-Class in its manifest");
  }

  @Test
  void aFileThatIsNotAJar() throws Exception {
    Path notJar = dir.resolve("notes.jar");
    Files.writeString(notJar, "just text");
    CliRun run = CliRun.of("submit", notJar.toString(), WORDCOUNT);
    assertOneLineError(run, 1, notJar + " is not a jar file");
  }

  @Test
  void aJarThatDoesNotExist() {
    Path missing = dir.resolve("missing.jar");
    assertOneLineError(CliRun.of("submit", missing.toString()), 1,
        "jar " + missing + " does not exist");
  }

  @Test
  void aMissingInputPathIsRefusedInOneLine() {
    Path missing = dir.resolve("no-input");
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("submit", "--ui-port", "0",
        "--master", "local[1]", plainJar.toString(), WORDCOUNT,
        missing.toString(), out.toString());
    assertOneLineError(run, 1, "job 'wordcount' refused: ");
    assertThat(run.err()).contains(missing.toString());
    assertThat(out).doesNotExist();
  }

  @Test
  void aBadDataPathSettingRefusesTheJobInOneLine() {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("submit", "--ui-port", "0", "--master", "local[1]",
        "-Dquern.map.sort-buffer-size=12x", plainJar.toString(), WORDCOUNT, input.toString(),
        out.toString());
    assertOneLineError(run, 1, "job 'wordcount' refused: configuration entry "
        + "'quern.map.sort-buffer-size' is not a size (like 65536, 64k, 64m, 1g): '12x'");
    assertThat(out).doesNotExist();
  }

  @Test
  void aDriverThatFailsReportsItsMessage() {
    CliRun run = CliRun.of("submit", "--ui-port", "0",
        "--master", "local[1]", plainJar.toString(),
        "dev.quern.examples.grep.Grep", "only-one-arg");
    assertOneLineError(run, 1, "usage: grep IN OUT REGEX [GROUP]");
  }

  @Test
  void badCommandLinesExitWithTwo() {
    assertOneLineError(CliRun.of("submit", "--bogus", "x.jar"), 2, "Unknown option: '--bogus'");
    assertOneLineError(CliRun.of("submit"), 2, "Missing required parameter");
    assertOneLineError(CliRun.of(), 2, "no command given");
    assertOneLineError(CliRun.of("submit", "--master", "yarn", "x.jar"), 2,
        "--master 'yarn' is not supported: this build runs jobs in a local cluster only, "
            + "written local, local[*] or local[N] (see 'quern submit --help')");
    assertOneLineError(CliRun.of("submit", "--master", "local[0]", "x.jar"), 2,
        "--master 'local[0]': the number of workers must be 1 to 256 (see 'quern submit "
            + "--help')");
    assertOneLineError(CliRun.of("submit", "--ui-port", "70000", "x.jar"), 2,
        "--ui-port must be 0 to 65535, got 70000 (see 'quern submit --help')");
    assertOneLineError(CliRun.of("examples", "--ui-port", "-1", "wordcount"), 2,
        "--ui-port must be 0 to 65535, got -1 (see 'quern examples --help')");
    assertOneLineError(CliRun.of("ui", "--port", "70000"), 2,
        "--port must be 0 to 65535, got 70000 (see 'quern ui --help')");
  }

  @Test
  void aDashDWithoutAValueSaysHowToWriteIt() {
    assertOneLineError(CliRun.of("submit", "-Dquern.speculative", "x.jar"), 2,
        "-D needs KEY=VALUE, got 'quern.speculative': write -Dquern.speculative=VALUE (e.g. "
            + "-Dquern.speculative=true) (see 'quern submit --help')");
    assertOneLineError(CliRun.of("submit", "-D", "x.jar"), 2,
        "-D needs KEY=VALUE, got 'x.jar'");
    assertOneLineError(CliRun.of("submit", "-D=1", "x.jar"), 2, "-D needs KEY=VALUE, got '1'");
    assertOneLineError(CliRun.of("submit", "-D", "=1", "x.jar"), 2,
        "-D needs KEY=VALUE, got '=1': the key is empty");
    assertOneLineError(CliRun.of("submit", "-D"), 2, "");
  }

  @Test
  void unknownQuernKeysAreWarnedAboutWithTheClosestKnownKey() throws Exception {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("submit", "--ui-port", "0", "--master", "local[1]",
        "-Dquern.map.sort-bufer-size=64m", "-Dmy.own.key=1", plainJar.toString(), WORDCOUNT,
        input.toString(), out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.errLines()).containsExactly("quern: warning: unknown configuration key "
        + "'quern.map.sort-bufer-size' is ignored (did you mean 'quern.map.sort-buffer-size'?)");
    assertThat(readCounts(out)).isEqualTo(plainCounts(input));
  }

  @Test
  void theNumberOfReduceTasksComesFromTheCommandLine() throws Exception {
    for (String key : new String[] {"quern.reduce.tasks", "mapreduce.job.reduces"}) {
      Path out = dir.resolve("out-" + key);
      CliRun run = CliRun.of("submit", "--ui-port", "0", "--master", "local[2]",
          "-D" + key + "=3", plainJar.toString(), WORDCOUNT, input.toString(), out.toString());
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.err()).isEmpty();
      try (Stream<Path> parts = Files.list(out)) {
        assertThat(parts.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")))
            .containsExactlyInAnyOrder("part-r-00000", "part-r-00001", "part-r-00002");
      }
      assertThat(readCounts(out)).isEqualTo(plainCounts(input));
    }
  }

  @Test
  void aTaskFailureNamesTheJobTaskAttemptAndFile() throws Exception {
    Path in = Files.createDirectories(dir.resolve("gz-in"));
    Path fake = Files.writeString(in.resolve("notes.gz"), "not gzip at all\n");
    Path out = dir.resolve("out");
    String[] args = {"submit", "--ui-port", "0", "--master", "local[1]",
        "-Dquern.task.max-attempts=2", plainJar.toString(), WORDCOUNT, in.toString(),
        out.toString()};
    CliRun run = CliRun.of(args);
    assertOneLineError(run, 1, "job 'wordcount' (job-0001) failed: task m-00000 failed 2 "
        + "time(s); attempt job-0001/m-00000/2 on worker-0: input " + fake + " bytes 0-16: "
        + "java.util.zip.ZipException: Not in GZIP format");
    assertThat(out).doesNotExist();

    String[] verbose = java.util.Arrays.copyOf(args, args.length + 1);
    System.arraycopy(verbose, 1, verbose, 2, args.length - 1);
    verbose[1] = "--verbose";
    CliRun loud = CliRun.of(verbose);
    assertThat(loud.exitCode()).isEqualTo(1);
    assertThat(loud.err()).contains("quern: job 'wordcount' (job-0001) failed: ")
        .contains("at java.base/java.util.zip.GZIPInputStream.readHeader(");
  }

  @Test
  void helpAndVersion() {
    CliRun version = CliRun.of("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("quern ");
    CliRun help = CliRun.of("submit", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: quern submit").contains("--master");
    assertThat(CliRun.of("examples", "--help").out()).contains("Usage: quern examples");
  }

  private static void assertOneLineError(CliRun run, int code, String start) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(code);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.errLines().get(0)).as(run.toString()).startsWith("quern: " + start);
  }

  private static Map<String, Long> readCounts(Path out) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> parts = Files.list(out)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          int tab = line.lastIndexOf('\t');
          counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
        }
      }
    }
    return counts;
  }

  private static Map<String, Long> plainCounts(Path dir) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        StringTokenizer t = new StringTokenizer(Files.readString(f));
        while (t.hasMoreTokens()) {
          counts.merge(t.nextToken(), 1L, Long::sum);
        }
      }
    }
    return counts;
  }
}
