package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern master} reads {@code quern.ui} from its configuration file: a password file it
 * cannot use stops it at the start, with an error that names the file and the line, and never
 * the line's text; {@code --print-config} shows the section, the file's keys over the defaults.
 */
class MasterUiLoginConfigTest {
  @TempDir Path tmp;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aMasterWithABadPasswordFileRefusesToStartNamingIt() throws Exception {
    Path users = Files.writeString(tmp.resolve("ui-users"),
        "# users\nalice:pbkdf2-sha256:1000:c2VjcmV0LXNhbHQ=\n");
    Path conf = Files.writeString(tmp.resolve("m.conf"), "quern.ui.password-file = \"" + users
        + "\"\n");
    int port = FreePorts.choose(1)[0];
    CliRun run = CliRun.of("master", "--config", conf.toString(), "--id", "m1", "--data",
        tmp.resolve("m1").toString(), "--peers", "m1=127.0.0.1:" + port, "--http",
        "127.0.0.1:0");
    assertNotEquals(0, run.exitCode(), run::toString);
    assertTrue(run.err().contains("password file " + users + ", line 2"), run::toString);
    assertTrue(!run.toString().contains("c2VjcmV0LXNhbHQ="), "the line's text is not shown");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void printConfigShowsTheUiKeysWithTheirDefaults() throws Exception {
    Path conf = Files.writeString(tmp.resolve("m.conf"),
        "quern.ui { login = required, session.idle-timeout = 5m }\n");
    CliRun run = CliRun.of("master", "--config", conf.toString(), "--id", "m1", "--data",
        tmp.resolve("m1").toString(), "--peers", "m1=127.0.0.1:7101", "--print-config");
    assertEquals(0, run.exitCode(), run::toString);
    Config c = ConfigFactory.parseString(run.out());
    assertEquals("required", c.getString("quern.ui.login"), "the file");
    assertEquals(Duration.ofMinutes(5), c.getDuration("quern.ui.session.idle-timeout"), "the file");
    assertEquals(Duration.ofHours(12), c.getDuration("quern.ui.session.max-age"), "the default");
    assertEquals("", c.getString("quern.ui.password-file"), "the default");
    assertEquals("m1", c.getString("quern.master.id"), "the master's section is still there");
  }
}
