package dev.quern.cli;

import dev.quern.master.http.login.PasswordFile;
import dev.quern.master.http.login.PasswordHash;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quern ui passwd --file FILE USER}: adds a user to the web UI's password file ({@code
 * quern.ui.password-file}) or changes their password. The password is read from the console
 * without echo (twice), or, when standard input is not a console, as its first line; it is never
 * printed, and the file keeps only its PBKDF2 hash.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Adds USER to the web UI's password file, or changes their password. The password is "
            + "read from the console without echo, or as the first line of standard input."})
final class UiPasswdCommand implements Callable<Integer> {
  /** The longest password line read from standard input. */
  static final int MAX_PASSWORD = 1024;

  @Option(names = "--file", required = true, paramLabel = "FILE",
      description = "The password file (created, readable by its owner only, if missing).")
  Path file;

  @Option(names = "--iterations", paramLabel = "N",
      defaultValue = "" + PasswordHash.DEFAULT_ITERATIONS,
      description = "PBKDF2 iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Parameters(paramLabel = "USER", description = "The user name: letters, digits, '.', '_', "
      + "'@' or '-'.")
  String user;

  @Spec CommandSpec spec;

  private final InputStream stdin;
  private final Console console;

  UiPasswdCommand() {
    this(System.in, System.console());
  }

  /** Reads the password from {@code stdin} unless {@code console} is given. */
  UiPasswdCommand(InputStream stdin, Console console) {
    this.stdin = stdin;
    this.console = console;
  }

  @Override
  public Integer call() throws IOException {
    if (!PasswordFile.USER.matcher(user).matches()) {
      throw new UsageException("USER '" + user + "': must be 1 to 64 letters, digits, '.', '_', "
          + "'@' or '-'");
    }
    if (iterations < PasswordHash.MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
      throw new UsageException("--iterations must be " + PasswordHash.MIN_ITERATIONS + " to "
          + PasswordHash.MAX_ITERATIONS + ", got " + iterations);
    }
    char[] password = console != null ? fromConsole() : fromStdin();
    try {
      if (password.length == 0) {
        throw new CliException("no password given (an empty one will not do)");
      }
      boolean added;
      try {
        added = PasswordFile.put(file, user, password, iterations, new SecureRandom());
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println((added ? "Added user " + user + " to " : "Changed the password of " + user
          + " in ") + file);
      out.flush();
      return 0;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private char[] fromConsole() {
    char[] first = console.readPassword("Password for %s: ", user);
    char[] again = console.readPassword("The same again: ");
    if (first == null || again == null) {
      throw new CliException("no password given (the console closed)");
    }
    try {
      if (!Arrays.equals(first, again)) {
        Arrays.fill(first, '\0');
        throw new CliException("the two passwords differ; nothing was changed");
      }
      return first;
    } finally {
      Arrays.fill(again, '\0');
    }
  }

  /** The first line of standard input, without its line end. */
  private char[] fromStdin() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = stdin.read()) != -1 && b != '\n') {
      if (line.size() >= MAX_PASSWORD) {
        throw new CliException("the password on standard input is longer than " + MAX_PASSWORD
            + " bytes");
      }
      line.write(b);
    }
    byte[] bytes = line.toByteArray();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, n));
    Arrays.fill(bytes, (byte) 0);
    char[] password = new char[chars.remaining()];
    chars.get(password);
    Arrays.fill(chars.array(), '\0');
    return password;
  }
}
