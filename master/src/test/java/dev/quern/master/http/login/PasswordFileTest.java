package dev.quern.master.http.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password file's format, its errors (file and line named), and the hash check. */
class PasswordFileTest {
  @TempDir Path dir;

  /** Few iterations: the check is the same, the test fast. */
  static final int ITERATIONS = PasswordHash.MIN_ITERATIONS;

  @Test
  void aWrittenUserChecksTheirPasswordAndNoOther() throws Exception {
    Path file = dir.resolve("users");
    assertThat(PasswordFile.put(file, "alice", "s3cret pass".toCharArray(), ITERATIONS,
        new SecureRandom())).isTrue();
    assertThat(PasswordFile.put(file, "bob", "other".toCharArray(), ITERATIONS,
        new SecureRandom())).isTrue();
    PasswordFile users = PasswordFile.load(file);
    assertThat(users.users()).containsOnlyKeys("alice", "bob");
    PasswordHash alice = users.user("alice").orElseThrow();
    assertThat(alice.matches("s3cret pass".toCharArray())).isTrue();
    assertThat(alice.matches("s3cret pasS".toCharArray())).isFalse();
    assertThat(alice.matches("other".toCharArray())).isFalse();
    assertThat(alice.matches("".toCharArray())).isFalse();
    assertThat(Files.readString(file)).doesNotContain("s3cret").doesNotContain("other");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  /** The line's hash is the JDK's PBKDF2WithHmacSHA256 of the password with the line's salt. */
  @Test
  void theLineHoldsPbkdf2OfThePasswordWithItsSalt() throws Exception {
    Path file = dir.resolve("users");
    PasswordFile.put(file, "carol", "pässword".toCharArray(), 2000, new SecureRandom());
    String[] f = Files.readAllLines(file).get(0).split(":");
    assertThat(f).hasSize(5);
    assertThat(f[0]).isEqualTo("carol");
    assertThat(f[1]).isEqualTo("pbkdf2-sha256");
    assertThat(f[2]).isEqualTo("2000");
    byte[] salt = Base64.getDecoder().decode(f[3]);
    byte[] expected = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec("pässword".toCharArray(), salt, 2000, 256)).getEncoded();
    assertThat(Base64.getDecoder().decode(f[4])).isEqualTo(expected);
    assertThat(salt).hasSize(16);
  }

  @Test
  void replacingAUserKeepsTheOtherLines() throws Exception {
    Path file = dir.resolve("users");
    Files.writeString(file, "# the UI's users\n\n");
    PasswordFile.put(file, "alice", "one".toCharArray(), ITERATIONS, new SecureRandom());
    PasswordFile.put(file, "bob", "two".toCharArray(), ITERATIONS, new SecureRandom());
    String bobLine = Files.readAllLines(file).get(3);
    assertThat(PasswordFile.put(file, "alice", "three".toCharArray(), ITERATIONS,
        new SecureRandom())).isFalse();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("# the UI's users");
    assertThat(lines.get(3)).isEqualTo(bobLine);
    PasswordFile users = PasswordFile.load(file);
    assertThat(users.user("alice").orElseThrow().matches("three".toCharArray())).isTrue();
    assertThat(users.user("alice").orElseThrow().matches("one".toCharArray())).isFalse();
  }

  @Test
  void aBadLineIsNamedByFileAndLineWithoutItsText() throws Exception {
    String good = PasswordFile.line("alice", PasswordHash.create("pw".toCharArray(), ITERATIONS,
        new SecureRandom()));
    String[] f = good.split(":");
    String hash = f[4];
    String[][] cases = {
        {"alice:pbkdf2-sha256:1000:" + f[3], "5 fields"},
        {"al ice:pbkdf2-sha256:1000:" + f[3] + ":" + hash, "user name"},
        {"alice:md5:1000:" + f[3] + ":" + hash, "unknown scheme"},
        {"alice:pbkdf2-sha256:many:" + f[3] + ":" + hash, "not a number"},
        {"alice:pbkdf2-sha256:10:" + f[3] + ":" + hash, "iterations must be"},
        {"alice:pbkdf2-sha256:1000:%%%:" + hash, "salt is not Base64"},
        {"alice:pbkdf2-sha256:1000:" + f[3] + ":c2hvcnQ=", "hash must be at least"},
        {good.replace("alice", "bob") + "\n" + good.replace("alice", "bob"), "appears twice"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve("bad");
      Files.writeString(file, "# users\n" + good + "\n\n" + c[0] + "\n", StandardCharsets.UTF_8);
      int line = c[1].equals("appears twice") ? 5 : 4;
      assertThatThrownBy(() -> PasswordFile.load(file)).as(c[1])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("password file " + file + ", line " + line + ": ")
          .hasMessageContaining(c[1])
          .hasMessageNotContaining(hash);
    }
  }

  @Test
  void aMissingFileSaysHowToMakeOne() {
    Path file = dir.resolve("none");
    assertThatThrownBy(() -> PasswordFile.load(file)).hasMessageContaining(file.toString())
        .hasMessageContaining("no such file").hasMessageContaining("quern ui passwd");
  }

  @Test
  void putRefusesABadUserAnEmptyPasswordAndAFileItCannotRead() throws Exception {
    Path file = dir.resolve("users");
    assertThatThrownBy(() -> PasswordFile.put(file, "a:b", "pw".toCharArray(), ITERATIONS,
        new SecureRandom())).hasMessageContaining("user name 'a:b'");
    assertThatThrownBy(() -> PasswordFile.put(file, "alice", new char[0], ITERATIONS,
        new SecureRandom())).hasMessageContaining("empty");
    Files.writeString(file, "garbage\n");
    assertThatThrownBy(() -> PasswordFile.put(file, "alice", "pw".toCharArray(), ITERATIONS,
        new SecureRandom())).hasMessageContaining("line 1");
    assertThat(Files.readString(file)).isEqualTo("garbage\n");
  }
}
