package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.worker.security.ClusterCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quern cluster init}, and a process's {@code --security} pointing at its output. */
class ClusterInitCommandTest {
  @TempDir Path tmp;

  @Test
  void initCreatesCredentialsThatAWorkerLoadsAndPrintsNoSecret() throws Exception {
    Path dir = tmp.resolve("sec");
    CliRun run = CliRun.of("cluster", "init", "--dir", dir.toString(), "--host", "10.0.0.7");
    assertEquals(0, run.exitCode(), run::toString);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    String token = Files.readString(dir.resolve(ClusterCredentials.CLIENT_TOKEN)).trim();
    String password = Files.readString(dir.resolve(ClusterCredentials.STORE_PASSWORD)).trim();
    assertFalse(run.out().contains(token) || run.err().contains(token), run::toString);
    assertFalse(run.out().contains(password) || run.err().contains(password), run::toString);
    ClusterCredentials.load(dir);

    CliRun again = CliRun.of("cluster", "init", "--dir", dir.toString());
    assertTrue(again.exitCode() != 0 && again.err().contains("already holds"), again::toString);
    assertEquals(token, Files.readString(dir.resolve(ClusterCredentials.CLIENT_TOKEN)).trim());

    CliRun ok = CliRun.of("worker", "--masters", "127.0.0.1:7101", "--security", dir.toString(),
        "--print-config");
    assertEquals(0, ok.exitCode(), ok::toString);
    assertTrue(ok.out().contains(dir.toString()), ok::toString);

    Files.delete(dir.resolve(ClusterCredentials.KEY_STORE));
    for (String kind : new String[] {"worker", "master"}) {
      CliRun bad = kind.equals("worker")
          ? CliRun.of("worker", "--masters", "127.0.0.1:7101", "--data", tmp.toString(),
              "--security", dir.toString())
          : CliRun.of("master", "--id", "m1", "--data", tmp.toString(), "--peers",
              "m1=127.0.0.1:7101", "--security", dir.toString());
      assertTrue(bad.exitCode() != 0, bad::toString);
      assertTrue(bad.err().contains(dir.resolve(ClusterCredentials.KEY_STORE).toString()),
          bad::toString);
      assertTrue(bad.err().contains("quern cluster init"), bad::toString);
    }
  }
}
