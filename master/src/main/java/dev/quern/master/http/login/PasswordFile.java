package dev.quern.master.http.login;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The users who may log in to the web UI ({@code quern.ui.password-file}): one line per user,
 * {@code user:pbkdf2-sha256:ITERATIONS:SALT_B64:HASH_B64}; blank lines and lines starting with
 * {@code #} are skipped. A line that is not of this form is an error that names the file and the
 * line (never the line's text: it may hold a hash). {@code quern ui passwd} adds or replaces a
 * user; the file is written owner-only.
 */
public final class PasswordFile {
  /** Letters, digits and {@code . _ @ -}, 1 to 64 of them. */
  public static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private final Map<String, PasswordHash> users;

  private PasswordFile(Map<String, PasswordHash> users) {
    this.users = Collections.unmodifiableMap(users);
  }

  public Optional<PasswordHash> user(String name) {
    return Optional.ofNullable(users.get(name));
  }

  public Map<String, PasswordHash> users() {
    return users;
  }

  /** Reads {@code file}; throws {@link IllegalArgumentException} naming the file and line. */
  public static PasswordFile load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("password file " + file + ": no such file (create it "
          + "with 'quern ui passwd --file " + file + " USER')");
    } catch (IOException e) {
      throw new IllegalArgumentException("password file " + file + ": cannot read it ("
          + e.getClass().getSimpleName() + ")");
    }
    return parse(file.toString(), lines);
  }

  static PasswordFile parse(String name, List<String> lines) {
    Map<String, PasswordHash> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "password file " + name + ", line " + (i + 1) + ": ";
      String[] f = line.split(":", -1);
      if (f.length != 5) {
        throw new IllegalArgumentException(where + "expected user:" + PasswordHash.SCHEME
            + ":ITERATIONS:SALT_B64:HASH_B64 (5 fields separated by ':'), found " + f.length
            + " fields");
      }
      if (!USER.matcher(f[0]).matches()) {
        throw new IllegalArgumentException(where + "the user name must be 1 to 64 letters, "
            + "digits, '.', '_', '@' or '-'");
      }
      if (!f[1].equals(PasswordHash.SCHEME)) {
        throw new IllegalArgumentException(where + "unknown scheme (only " + PasswordHash.SCHEME
            + " is known)");
      }
      int iterations;
      try {
        iterations = Integer.parseInt(f[2]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + "the iterations are not a number");
      }
      if (iterations < PasswordHash.MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
        throw new IllegalArgumentException(where + "iterations must be "
            + PasswordHash.MIN_ITERATIONS + " to " + PasswordHash.MAX_ITERATIONS + ", got "
            + iterations);
      }
      byte[] salt = base64(f[3], where + "the salt");
      byte[] hash = base64(f[4], where + "the hash");
      if (salt.length < 8) {
        throw new IllegalArgumentException(where + "the salt must be at least 8 bytes, got "
            + salt.length);
      }
      if (hash.length < 16) {
        throw new IllegalArgumentException(where + "the hash must be at least 16 bytes, got "
            + hash.length);
      }
      if (users.put(f[0], new PasswordHash(iterations, salt, hash)) != null) {
        throw new IllegalArgumentException(where + "user '" + f[0] + "' appears twice");
      }
    }
    return new PasswordFile(users);
  }

  private static byte[] base64(String s, String what) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not Base64");
    }
  }

  /** The line of {@code user} with {@code hash}. */
  static String line(String user, PasswordHash hash) {
    Base64.Encoder b = Base64.getEncoder();
    return user + ":" + PasswordHash.SCHEME + ":" + hash.iterations() + ":"
        + b.encodeToString(hash.salt()) + ":" + b.encodeToString(hash.hash());
  }

  /**
   * Adds {@code user} to {@code file} with {@code password} (replacing the user's line if there
   * is one; creating the file, owner-only, if there is none). Other lines stay as they were.
   *
   * @return true if the user was new
   */
  public static boolean put(Path file, String user, char[] password, int iterations,
      SecureRandom random) throws IOException {
    if (!USER.matcher(user).matches()) {
      throw new IllegalArgumentException("user name '" + user + "': must be 1 to 64 letters, "
          + "digits, '.', '_', '@' or '-'");
    }
    if (password.length == 0) {
      throw new IllegalArgumentException("the password is empty");
    }
    List<String> lines = Files.exists(file)
        ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
    parse(file.toString(), lines); // refuse to rewrite a file we could not read back
    String entry = line(user, PasswordHash.create(password, iterations, random));
    boolean added = true;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().startsWith(user + ":")) {
        lines.set(i, entry);
        added = false;
      }
    }
    if (added) {
      lines.add(entry);
    }
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
      Files.createFile(tmp);
    }
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return added;
  }
}
