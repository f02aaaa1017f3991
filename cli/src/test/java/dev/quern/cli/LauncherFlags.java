package dev.quern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code bin/quern} of the packaged build with {@code -XX:+PrintFlagsFinal} and reads the
 * JVM's own flag table from its output: what the launcher chose, as the JVM took it.
 */
final class LauncherFlags {
  static final Path ROOT = Path.of(System.getProperty("quern.root", "..")).toAbsolutePath()
      .normalize();
  private static final Duration RUN = Duration.ofMinutes(2);

  private final TestProcesses procs;
  private final Path dir;

  LauncherFlags(TestProcesses procs, Path dir) {
    this.procs = procs;
    this.dir = dir;
  }

  /** A run's flag table. */
  record Table(String log, Path logFile) {
    /** The value of the JVM flag {@code name}, as the table prints it. */
    String value(String name) {
      Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\s+=\\s+(\\S+)").matcher(log);
      assertThat(m.find()).as("no %s in the flag table (log %s)", name, logFile).isTrue();
      return m.group(1);
    }

    boolean isOn(String name) {
      return Boolean.parseBoolean(value(name));
    }
  }

  /**
   * The flag table of a run with these arguments and this QUERN_JAVA_OPTS, which must exit with
   * {@code expectedExit}. No class data archive: these runs would write one, and sharing plays
   * no part in the choices tested.
   */
  Table run(List<String> javaOpts, int expectedExit, String... args) throws Exception {
    String name = "quern-" + String.join("-", args).replaceAll("[^A-Za-z0-9.=-]+", "_");
    if (name.length() > 80) {
      name = name.substring(0, 80);
    }
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/quern").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("QUERN_CDS", "off");
    List<String> opts = new ArrayList<>(javaOpts);
    opts.add("-XX:+PrintFlagsFinal");
    opts.add("-Dquern.history.dir=" + dir.resolve("history"));
    pb.environment().put("QUERN_JAVA_OPTS", String.join(" ", opts));
    TestProcess quern = procs.start(name, pb);
    int exit = quern.awaitExit(RUN);
    Table table = new Table(quern.log(), quern.logFile());
    assertThat(exit).as("exit of %s (log %s)", name, quern.logFile()).isEqualTo(expectedExit);
    return table;
  }
}
