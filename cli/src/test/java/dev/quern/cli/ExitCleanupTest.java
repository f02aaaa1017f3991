package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Await;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern submit} as a process whose JVM exits while a job runs (a task's {@code
 * System.exit}, SIGTERM, SIGINT): the job is aborted, its output directory (which it created)
 * and the cluster's scratch directory are gone, one line says why, and the exit status is not 0.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExitCleanupTest {
  private static final Duration BOUND = Duration.ofMinutes(2);

  @TempDir Path dir;
  private Path jar;
  private Path in;
  private Path out;
  private Path javaTmp;

  @BeforeEach
  void jarAndInput() throws Exception {
    jar = TestJars.jarOf(dir.resolve("app.jar"), ExitDrivers.class);
    in = Files.writeString(dir.resolve("in.txt"), "a b\nb c\n");
    out = dir.resolve("out");
    javaTmp = Files.createDirectories(dir.resolve("java-tmp"));
  }

  private TestProcess quern(TestProcesses procs, String name, String... driverArgs) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Djava.io.tmpdir=" + javaTmp, "dev.quern.cli.Main",
        "submit", "--ui-port", "0", "--master", "local[1]", jar.toString(),
        ExitDrivers.class.getName()));
    cmd.addAll(List.of(driverArgs));
    return procs.start(name, new ProcessBuilder(cmd));
  }

  private List<Path> scratchDirs() throws Exception {
    try (Stream<Path> s = Files.list(javaTmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("quern-local-")).toList();
    }
  }

  @Test
  void aTaskCallingSystemExitAbortsTheJobAndNamesTheAttempt(TestProcesses procs)
      throws Exception {
    TestProcess p = quern(procs, "task-exit", "task-exit", in.toString(), out.toString());
    int code = p.awaitExit(BOUND);
    assertThat(code).as(p.log()).isEqualTo(1);
    assertThat(p.log()).contains("quern: job 'task-exit' (job-0001) aborted: attempt "
        + "job-0001/m-00000/1 (input " + in + ":0+8) called System.exit; its temporary output "
        + "and scratch data were removed");
    assertThat(out).doesNotExist();
    assertThat(scratchDirs()).isEmpty();
  }

  @Test
  void sigtermAbortsTheRunningJob(TestProcesses procs) throws Exception {
    Path mark = dir.resolve("started");
    TestProcess p = quern(procs, "sigterm", "block", in.toString(), out.toString(),
        mark.toString());
    Await.until(BOUND, "the mapper started", () -> Files.exists(mark));
    assertThat(Files.isDirectory(out.resolve("_temporary"))).isTrue();
    assertThat(scratchDirs()).hasSize(1);
    p.process().destroy();
    assertThat(p.awaitExit(BOUND)).as(p.log()).isEqualTo(143);
    assertThat(p.log()).contains("quern: job 'block' (job-0001) aborted: terminated (SIGTERM); "
        + "its temporary output and scratch data were removed");
    assertThat(out).doesNotExist();
    assertThat(scratchDirs()).isEmpty();
  }

  @Test
  void ctrlCAbortsTheRunningJob(TestProcesses procs) throws Exception {
    Path mark = dir.resolve("started");
    TestProcess p = quern(procs, "sigint", "block", in.toString(), out.toString(),
        mark.toString());
    Await.until(BOUND, "the mapper started", () -> Files.exists(mark));
    // A JVM started with SIGINT ignored (a background job of a non-interactive shell) keeps it
    // ignored: then there is no Ctrl-C to test.
    String status = Files.readString(Path.of("/proc/" + p.pid() + "/status"));
    long ignored = status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst()
        .map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16)).orElse(0L);
    Assumptions.assumeTrue((ignored & 2) == 0, "SIGINT is ignored in this test's processes");
    new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
    assertThat(p.awaitExit(BOUND)).as(p.log()).isEqualTo(130);
    assertThat(p.log()).contains("quern: job 'block' (job-0001) aborted: interrupted (SIGINT, "
        + "Ctrl-C); its temporary output and scratch data were removed");
    assertThat(out).doesNotExist();
    assertThat(scratchDirs()).isEmpty();
  }

  @Test
  void aDriverThatExitsAfterItsJobLeavesNoScratchAndSaysNothing(TestProcesses procs)
      throws Exception {
    TestProcess p = quern(procs, "driver-exit", "driver-exit", in.toString(), out.toString());
    assertThat(p.awaitExit(BOUND)).as(p.log()).isZero();
    assertThat(p.log()).doesNotContain("aborted").contains("driver-exit SUCCEEDED");
    assertThat(Files.readString(out.resolve("part-r-00000"))).isEqualTo("a b\t1\nb c\t1\n");
    assertThat(scratchDirs()).isEmpty();
  }
}
