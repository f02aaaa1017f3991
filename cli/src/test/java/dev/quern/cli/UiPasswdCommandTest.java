package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code quern ui passwd}: the password from standard input, never printed, hashed in the file. */
class UiPasswdCommandTest {
  @TempDir Path tmp;

  /** One run with {@code stdin}; returns exit code and what it printed. */
  private CliRun run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new UiPasswdCommand(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  @Test
  void addsAndChangesAUserFromStandardInput() throws Exception {
    Path file = tmp.resolve("ui-users");
    CliRun added = run("first secret\nignored line\n", "--file", file.toString(),
        "--iterations", "1000", "alice");
    assertEquals(0, added.exitCode(), added::toString);
    assertEquals("Added user alice to " + file, added.out().strip());
    assertFalse(added.toString().contains("first secret"), "the password is not printed");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    PasswordHash alice = PasswordFile.load(file).user("alice").orElseThrow();
    assertTrue(alice.matches("first secret".toCharArray()));
    assertEquals(1000, alice.iterations());
    assertFalse(Files.readString(file).contains("secret"));

    CliRun changed = run("second secret\r\n", "--file", file.toString(), "--iterations", "1000",
        "alice");
    assertEquals(0, changed.exitCode(), changed::toString);
    assertEquals("Changed the password of alice in " + file, changed.out().strip());
    alice = PasswordFile.load(file).user("alice").orElseThrow();
    assertTrue(alice.matches("second secret".toCharArray()), "the line end is not the password's");
    assertFalse(alice.matches("first secret".toCharArray()));
  }

  @Test
  void theDefaultIterationsAreOwasps() throws Exception {
    Path file = tmp.resolve("ui-users");
    assertEquals(0, run("pw\n", "--file", file.toString(), "bob").exitCode());
    assertEquals(PasswordHash.DEFAULT_ITERATIONS,
        PasswordFile.load(file).user("bob").orElseThrow().iterations());
  }

  @Test
  void refusesAnEmptyPasswordABadUserAndAFileItCannotRead() throws Exception {
    Path file = tmp.resolve("ui-users");
    CliRun empty = run("\n", "--file", file.toString(), "--iterations", "1000", "alice");
    assertTrue(empty.exitCode() != 0 && empty.err().contains("no password given"),
        empty::toString);
    assertFalse(Files.exists(file));

    CliRun badUser = CliRun.of("ui", "passwd", "--file", file.toString(), "al:ice");
    assertEquals(2, badUser.exitCode(), badUser::toString);
    assertTrue(badUser.err().contains("USER 'al:ice'"), badUser::toString);

    CliRun noFile = CliRun.of("ui", "passwd", "alice");
    assertEquals(2, noFile.exitCode(), noFile::toString);
    assertTrue(noFile.err().contains("--file"), noFile::toString);

    Files.writeString(file, "alice:pbkdf2-sha256:1000\n");
    CliRun broken = run("pw\n", "--file", file.toString(), "--iterations", "1000", "bob");
    assertTrue(broken.exitCode() != 0 && broken.err().contains(file + ", line 1"),
        broken::toString);
    assertEquals("alice:pbkdf2-sha256:1000\n", Files.readString(file), "left as it was");
  }
}
