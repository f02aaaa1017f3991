package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.TestProcesses;
import java.io.IOException;
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
 * {@code bin/quern}'s choice of collector, over the packaged build (run by failsafe after
 * {@code package}), read from the JVM's flag table: the parallel collector, on the kernel's
 * ordinary pages (no transparent huge pages asked for), for a run whose tasks run in its own JVM;
 * G1 for every other command; the user's collector when QUERN_JAVA_OPTS names one. The job runs are
 * refused at once (their output exists), so each costs a cluster start, not a job.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LauncherGcIT {
  @TempDir Path dir;
  private LauncherFlags flags;
  private Path out;
  private Path input;

  @BeforeEach
  void setUp(TestProcesses procs) throws IOException {
    flags = new LauncherFlags(procs, dir);
    out = Files.createDirectories(dir.resolve("out-exists"));
    input = Files.writeString(dir.resolve("small.txt"), "a b c\nb c\n");
  }

  @Test
  void aLocalJobRunsOnTheParallelCollector() throws Exception {
    LauncherFlags.Table t = flags.run(List.of(), 1, "examples", "--ui-port", "0", "wordcount",
        input.toString(), out.toString());
    assertThat(t.isOn("UseParallelGC")).isTrue();
    assertThat(t.isOn("UseG1GC")).isFalse();
    assertThat(t.isOn("UseTransparentHugePages")).isFalse();
    LauncherFlags.Table submit = flags.run(List.of(), 1, "submit", "--ui-port", "0",
        dir.resolve("missing.jar").toString(), input.toString());
    assertThat(submit.isOn("UseParallelGC")).isTrue();
  }

  @Test
  void otherCommandsKeepG1() throws Exception {
    LauncherFlags.Table version = flags.run(List.of(), 0, "--version");
    assertThat(version.isOn("UseG1GC")).isTrue();
    assertThat(version.isOn("UseTransparentHugePages")).isFalse();
    // Help of a job command runs no task.
    LauncherFlags.Table help = flags.run(List.of(), 0, "examples", "--help");
    assertThat(help.isOn("UseG1GC")).isTrue();
  }

  @Test
  void aCollectorOfTheUserWins() throws Exception {
    LauncherFlags.Table t = flags.run(List.of("-XX:+UseSerialGC"), 1, "examples", "--ui-port",
        "0", "wordcount", input.toString(), out.toString());
    assertThat(t.isOn("UseSerialGC")).isTrue();
    assertThat(t.isOn("UseParallelGC")).isFalse();
    assertThat(t.isOn("UseTransparentHugePages")).isFalse();
  }
}
