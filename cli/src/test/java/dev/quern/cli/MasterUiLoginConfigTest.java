package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern master} reads {@code quern.ui} from its configuration file: a password file it
 * cannot use stops it at the start, with an error that names the file and the line, and never
 * the line's text.
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
}
