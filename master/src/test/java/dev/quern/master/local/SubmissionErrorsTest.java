package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad submission is refused with one line naming what is wrong, and nothing changes. */
class SubmissionErrorsTest {
  private static LocalCluster cluster;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(TestClusters.options(1, 1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private Path input() throws Exception {
    return WordCount.writeInput(tmp.resolve("in"), 3L, 1, 10);
  }

  private void assertRefused(JobSpec spec, String message) {
    assertThatThrownBy(() -> cluster.submit(spec))
        .isInstanceOf(JobSubmissionException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(cluster.jobs()).isEmpty();
    assertThat(Files.exists(Path.of(spec.outputPath()))).isEqualTo(
        spec.outputPath().endsWith("existing"));
  }

  @Test
  void missingInputPath() {
    Path missing = tmp.resolve("no-such-input");
    assertRefused(WordCount.job("wc", missing, tmp.resolve("out")).build().spec(),
        "input path " + missing + " does not exist");
  }

  @Test
  void unreadableInputFile() throws Exception {
    // Root reads files of any mode, so the unreadable file is a socket: it has no bytes to read.
    Path dir = Files.createDirectories(tmp.resolve("sock"));
    Path socket = dir.resolve("input.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      assertRefused(WordCount.job("wc", socket, tmp.resolve("out")).build().spec(),
          "input file " + socket + " is not readable: not a regular file");
    }
  }

  @Test
  void outputDirectoryExists() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("existing"));
    assertRefused(WordCount.job("wc", input(), out).build().spec(),
        "output directory " + out + " already exists");
  }

  @Test
  void classThatDoesNotExist() throws Exception {
    JobSpec spec = WordCount.job("wc", input(), tmp.resolve("out")).build().spec();
    JobSpec bad = new JobSpec(spec.name(), spec.user(), null, spec.inputPaths(),
        spec.outputPath(), spec.inputFormat(), spec.outputFormat(), "com.acme.NoSuchMapper",
        spec.combiner(), spec.reducer(), spec.partitioner(), spec.reduceTasks(),
        spec.mapOutputKeyClass(), spec.mapOutputValueClass(), spec.outputKeyClass(),
        spec.outputValueClass(), null, null, spec.config());
    assertRefused(bad, "mapper class com.acme.NoSuchMapper not found in the classpath");
  }

  @Test
  void classOfTheWrongType() throws Exception {
    JobSpec spec = WordCount.job("wc", input(), tmp.resolve("out")).build().spec();
    JobSpec bad = new JobSpec(spec.name(), spec.user(), null, spec.inputPaths(),
        spec.outputPath(), spec.inputFormat(), spec.outputFormat(), spec.mapper(),
        spec.combiner(), WordCount.TokenizerMapper.class.getName(), spec.partitioner(),
        spec.reduceTasks(), spec.mapOutputKeyClass(), spec.mapOutputValueClass(),
        spec.outputKeyClass(), spec.outputValueClass(), null, null, spec.config());
    assertRefused(bad, "reducer class " + WordCount.TokenizerMapper.class.getName()
        + " is not a dev.quern.api.Reducer");
  }

  @Test
  void jarThatIsNotAJar() throws Exception {
    Path notJar = Files.writeString(tmp.resolve("job.jar"), "not a zip");
    JobSpec spec = WordCount.job("wc", input(), tmp.resolve("out")).build().spec()
        .withJar(notJar.toString());
    assertThatThrownBy(() -> cluster.submit(spec))
        .isInstanceOf(JobSubmissionException.class)
        .hasMessageStartingWith("job jar " + notJar + " is not a jar file")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(cluster.jobs()).isEmpty();
  }

  @Test
  void jarThatDoesNotExist() throws Exception {
    Path missing = tmp.resolve("missing.jar");
    assertRefused(WordCount.job("wc", input(), tmp.resolve("out")).build().spec()
        .withJar(missing.toString()), "job jar " + missing + " does not exist");
  }

  @Test
  void badEngineSetting() throws Exception {
    assertRefused(WordCount.job("wc", input(), tmp.resolve("out"))
            .set("quern.task.max-attempts", "many").build().spec(),
        "configuration entry 'quern.task.max-attempts' is not a number: 'many'");
  }

  @Test
  void badDataPathSettingsAreRefusedBeforeAnyAttemptRuns() throws Exception {
    String[][] cases = {
        {"quern.map.sort-buffer-size", "12x", "configuration entry 'quern.map.sort-buffer-size'"
            + " is not a size (like 65536, 64k, 64m, 1g): '12x'"},
        {"quern.map.sort-buffer-size", "100", "quern.map.sort-buffer-size must be between 1k and"
            + " 2g-1, got 100"},
        {"quern.map.output.compress", "maybe", "configuration entry 'quern.map.output.compress'"
            + " is not a boolean: 'maybe'"},
        {"quern.map.combine.hash", "2", "configuration entry 'quern.map.combine.hash'"
            + " is not a boolean: '2'"},
        {"quern.map.combine.fold-at", "1", "quern.map.combine.fold-at must be at least 2, got 1"},
        {"quern.map.combine.min-spills", "three", "configuration entry"
            + " 'quern.map.combine.min-spills' is not a number: 'three'"},
        {"quern.map.combine.min-spills", "-1", "quern.map.combine.min-spills must not be"
            + " negative, got -1"},
        {"quern.reduce.merge-factor", "1", "quern.reduce.merge-factor must be at least 2, got 1"},
        {"quern.reduce.shuffle-memory", "lots", "configuration entry"
            + " 'quern.reduce.shuffle-memory' is not a size (like 65536, 64k, 64m, 1g): 'lots'"},
        {"quern.task.max-attempts", "0", "configuration entry 'quern.task.max-attempts' must be"
            + " at least 1, got 0"},
        {"quern.input.split-size", "0", "configuration entry 'quern.input.split-size' must be"
            + " positive, got 0"},
        {"quern.input.split-size", "1q", "configuration entry 'quern.input.split-size' is not a"
            + " size (like 65536, 64k, 64m, 1g): '1q'"},
        {"quern.input.charset", "klingon", "configuration entry 'quern.input.charset' names no"
            + " charset this JVM knows: 'klingon'"},
        {"quern.reduce.tasks", "-1", "configuration entry 'quern.reduce.tasks' must be a number"
            + " of reduce tasks from 0 to 100000, got '-1'"},
        {"mapreduce.job.reduces", "two", "configuration entry 'mapreduce.job.reduces' must be a"
            + " number of reduce tasks from 0 to 100000, got 'two'"},
    };
    Path in = input();
    for (String[] c : cases) {
      assertRefused(WordCount.job("wc", in, tmp.resolve("out")).set(c[0], c[1]).build().spec(),
          c[2]);
    }
  }
}
