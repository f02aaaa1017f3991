package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.worker.cluster.WorkerProcessConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code conf/quern.conf} (every key of both sections, each with its default,
 * commented out) and the configuration directory that {@code quern master} and
 * {@code quern worker} read it from when given no {@code --config}.
 */
class ConfDirTest {
  private static final Path TEMPLATE = Path.of(System.getProperty("quern.root", ".."))
      .resolve("conf").resolve(ConfDir.FILE);
  /** A commented-out setting: '#' right before a key (an explanation has '# ' and prose). */
  private static final Pattern SETTING = Pattern.compile("(?m)^(\\s*)#(?=[a-z])");

  @TempDir Path tmp;

  @Test
  void theTemplateAsShippedChangesNothing() {
    for (String section : new String[] {MasterProcessConfig.SECTION, WorkerProcessConfig.SECTION}) {
      Config defaults = defaults(section);
      Config loaded = ProcessConfigs.load(TEMPLATE, section, Map.of(), defaults);
      assertEquals(defaults.getConfig(section).root().unwrapped(),
          loaded.getConfig(section).root().unwrapped(), section);
    }
  }

  /** Guards the template against a key added, renamed or given another default in the code. */
  @Test
  void theTemplateUncommentedSetsEveryKeyToItsDefault() throws IOException {
    String text = Files.readString(TEMPLATE);
    Config uncommented = ConfigFactory.parseString(SETTING.matcher(text).replaceAll("$1"));
    for (String section : new String[] {MasterProcessConfig.SECTION, WorkerProcessConfig.SECTION}) {
      assertEquals(defaults(section).getConfig(section).root().unwrapped(),
          uncommented.getConfig(section).root().unwrapped(),
          section + " of " + TEMPLATE + " with every '#key = value' line uncommented");
    }
  }

  @Test
  void withoutConfigTheConfigurationDirectorysFileIsRead() throws IOException {
    Path conf = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(conf.resolve(ConfDir.FILE), "quern.worker { slots = 5, port = 7001 }\n");
    Path other = Files.writeString(tmp.resolve("other.conf"), "quern.worker.slots = 7\n");
    String before = System.getProperty(ConfDir.PROPERTY);
    System.setProperty(ConfDir.PROPERTY, conf.toString());
    try {
      Config c = printed(CliRun.of("worker", "--masters", "127.0.0.1:7101", "--print-config"));
      assertEquals(5, c.getInt("quern.worker.slots"), "the directory's quern.conf");
      assertEquals(7001, c.getInt("quern.worker.port"), "the directory's quern.conf");

      c = printed(CliRun.of("worker", "--masters", "127.0.0.1:7101", "--slots", "3",
          "--print-config"));
      assertEquals(3, c.getInt("quern.worker.slots"), "a flag wins over the file");

      c = printed(CliRun.of("worker", "--masters", "127.0.0.1:7101", "--config",
          other.toString(), "--print-config"));
      assertEquals(7, c.getInt("quern.worker.slots"), "--config instead of the directory's file");
      assertEquals(0, c.getInt("quern.worker.port"), "nothing of the directory's file");

      Files.writeString(conf.resolve(ConfDir.FILE), "quern.master { tick = \n");
      CliRun bad = CliRun.of("master", "--print-config");
      assertEquals(1, bad.exitCode(), bad::toString);
      assertTrue(bad.err().contains(conf.resolve(ConfDir.FILE).toString()), bad::toString);

      System.setProperty(ConfDir.PROPERTY, tmp.resolve("none").toString());
      c = printed(CliRun.of("worker", "--masters", "127.0.0.1:7101", "--print-config"));
      assertEquals(2, c.getInt("quern.worker.slots"), "no file there: the default");
    } finally {
      if (before == null) {
        System.clearProperty(ConfDir.PROPERTY);
      } else {
        System.setProperty(ConfDir.PROPERTY, before);
      }
    }
  }

  private static Config defaults(String section) {
    return section.equals(MasterProcessConfig.SECTION) ? MasterProcessConfig.defaults()
        : WorkerProcessConfig.defaults();
  }

  private static Config printed(CliRun run) {
    assertEquals(0, run.exitCode(), run::toString);
    return ConfigFactory.parseString(run.out());
  }
}
