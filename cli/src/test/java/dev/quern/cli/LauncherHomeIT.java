package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/quern} works out with shell builtins rather than commands of its own: its home
 * (symbolic links resolved, however the script is reached) and the heap (from the machine's
 * memory and cores), read from the JVM's properties and flag table of {@code quern --version}.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherHomeIT {
  private static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();
  private static final Duration RUN = Duration.ofMinutes(2);
  private static final Pattern CLASS_PATH = Pattern.compile("java\\.class\\.path = ([^\\n]*)");
  private static final Pattern CONF_DIR = Pattern.compile("quern\\.conf\\.dir = ([^\\n]*)");
  private static final Pattern HEAP = Pattern.compile("\\bMaxHeapSize\\s+=\\s+(\\d+)");

  @TempDir Path dir;
  private TestProcesses procs;
  private Path home;

  @BeforeEach
  void setUp(TestProcesses procs) throws IOException {
    this.procs = procs;
    home = ROOT.toRealPath();
  }

  @Test
  void theHomeIsFoundThroughLinksToTheScriptOrItsDirectoriesAndFromItsOwnDirectory()
      throws Exception {
    Path script = ROOT.resolve("bin/quern");
    Path linkToScript = Files.createSymbolicLink(dir.resolve("quern"), script);
    Path linkToHome = Files.createSymbolicLink(dir.resolve("home"), ROOT);
    Path linkToLink = Files.createSymbolicLink(dir.resolve("quern-again"), linkToScript);
    for (List<String> command : List.of(List.of(script.toString()),
        List.of(linkToScript.toString()), List.of(linkToLink.toString()),
        List.of(linkToHome.resolve("bin/quern").toString()),
        List.of("bash", "quern"))) {
      Path cwd = command.get(0).equals("bash") ? linkToHome.resolve("bin") : dir;
      String log = version(command, cwd);
      assertThat(find(CLASS_PATH, log, command)).as("%s", command)
          .isEqualTo(home.resolve("cli/target/quern-cli.jar").toString());
      assertThat(find(CONF_DIR, log, command)).as("%s", command)
          .isEqualTo(home.resolve("conf").toString());
    }
  }

  @Test
  void theHeapIsAQuarterGigabytePerCoreWithinHalfAGigabyteAndAQuarterOfTheMemory()
      throws Exception {
    long memKib = 0;
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        memKib = Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    Path cgroupLimit = Path.of("/sys/fs/cgroup/memory.max");
    if (Files.isReadable(cgroupLimit)) {
      String limit = Files.readString(cgroupLimit).trim();
      if (limit.matches("\\d+") && Long.parseLong(limit) / 1024 < memKib) {
        memKib = Long.parseLong(limit) / 1024;
      }
    }
    assertThat(memKib).as("MemTotal of /proc/meminfo").isPositive();
    // The cores as the script counts them (nproc: this process's CPU affinity).
    Process nproc = new ProcessBuilder("nproc").start();
    int cores = Integer.parseInt(new String(nproc.getInputStream().readAllBytes()).trim());
    assertThat(nproc.waitFor()).isZero();
    long mib = Math.min(Math.max(256L * cores, 512), memKib / 4096);
    String log = version(List.of(ROOT.resolve("bin/quern").toString(),
        "-J-XX:+PrintFlagsFinal"), dir);
    if (mib >= 64) {
      assertThat(Long.parseLong(find(HEAP, log, List.of("heap")))).isEqualTo(mib << 20);
    }
  }

  private static String find(Pattern p, String log, List<String> command) {
    Matcher m = p.matcher(log);
    assertThat(m.find()).as("%s in the output of %s:%n%s", p, command, log).isTrue();
    return m.group(1).trim();
  }

  /** The output of {@code COMMAND --version} with the JVM's properties and flags printed. */
  private String version(List<String> command, Path cwd) throws Exception {
    List<String> args = new ArrayList<>();
    String opts = "-XshowSettings:properties";
    for (String a : command) {
      if (a.startsWith("-J")) {
        opts += " " + a.substring(2);
      } else {
        args.add(a);
      }
    }
    args.add("--version");
    ProcessBuilder pb = new ProcessBuilder(args).directory(cwd.toFile());
    pb.environment().put("QUERN_CDS", "off");
    pb.environment().put("QUERN_JAVA_OPTS", opts);
    pb.environment().remove("QUERN_HEAP");
    TestProcess quern = procs.start("quern-version-" + procs.started().size(), pb);
    int exit = quern.awaitExit(RUN);
    assertThat(exit).as("exit of %s (log %s)", args, quern.logFile()).isZero();
    return quern.log();
  }
}
