package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quern}'s choice of JIT tiers, over the packaged build (run by failsafe after
 * {@code package}), read from the JVM's own flag table ({@code -XX:+PrintFlagsFinal}): only the
 * quick compiler for runs whose tasks are known to be short, every tier otherwise. The job runs
 * here are refused at once (their output exists), so each costs a cluster start, not a job; one
 * teragen of 1,000 rows runs.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LauncherJitIT {
  @TempDir Path dir;
  private LauncherFlags flags;
  private Path out;

  @BeforeEach
  void setUp(TestProcesses procs) throws IOException {
    flags = new LauncherFlags(procs, dir);
    out = Files.createDirectories(dir.resolve("out-exists"));
  }

  @Test
  void aSmallLocalInputGetsOnlyTheQuickCompiler() throws Exception {
    Path small = Files.writeString(dir.resolve("small.txt"), "a b c\nb c\n");
    assertThat(level("examples", "--ui-port", "0", "wordcount", small.toString(), out.toString()))
        .isEqualTo(1);
    // A directory's files count: here two small ones.
    Path inputs = Files.createDirectories(dir.resolve("inputs"));
    Files.writeString(inputs.resolve("part-0"), "x y\n");
    Files.writeString(inputs.resolve("part-1"), "y z\n");
    assertThat(level("examples", "--ui-port=0", "-D", "quern.reduce.tasks=1", "--master",
        "local[1]", "wordcount", inputs.toString(), out.toString())).isEqualTo(1);
  }

  @Test
  void anInputOverTheLimitOrOfUnknownSizeKeepsEveryTier() throws Exception {
    // 32 MiB and one byte, sparse: the launcher counts the length, as the job would read it.
    Path big = dir.resolve("big.txt");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(32L * 1024 * 1024 + 1);
    }
    assertThat(level("examples", "--ui-port", "0", "wordcount", big.toString(), out.toString()))
        .isEqualTo(4);
    // A glob: its size is not looked up.
    Path small = Files.writeString(dir.resolve("small.txt"), "a b\n");
    assertThat(level("examples", "--ui-port", "0", "wordcount", dir.resolve("*.txt").toString(),
        out.toString())).isEqualTo(4);
    // No existing path among the arguments: the job may make its data (teragen does). Its output
    // must not exist (an existing directory counts as a small input), so this job runs.
    assertThat(level(List.of(), 0, "examples", "--ui-port", "0", "teragen", "1000",
        dir.resolve("generated").toString())).isEqualTo(4);
    assertThat(Files.size(small)).isEqualTo(4);
  }

  @Test
  void aJitOptionOfTheUserWins() throws Exception {
    Path small = Files.writeString(dir.resolve("small.txt"), "a b c\n");
    assertThat(level(List.of("-XX:TieredStopAtLevel=4"), "examples", "--ui-port", "0",
        "wordcount", small.toString(), out.toString())).isEqualTo(4);
  }

  /** The JVM's TieredStopAtLevel in a run of bin/quern with these arguments. */
  private int level(String... args) throws Exception {
    return level(List.of(), args);
  }

  private int level(List<String> javaOpts, String... args) throws Exception {
    return level(javaOpts, 1, args);
  }

  /** As above, with the run's exit status: 1 when the job is refused, 0 when it ran. */
  private int level(List<String> javaOpts, int expectedExit, String... args) throws Exception {
    return Integer.parseInt(flags.run(javaOpts, expectedExit, args).value("TieredStopAtLevel"));
  }
}
