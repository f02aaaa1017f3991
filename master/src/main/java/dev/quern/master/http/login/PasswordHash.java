package dev.quern.master.http.login;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password's hash as the password file keeps it: PBKDF2 with HMAC-SHA256 (the JDK's {@code
 * PBKDF2WithHmacSHA256}), a random salt of {@value #SALT_BYTES} bytes and {@value #HASH_BYTES}
 * bytes of output. Checking takes the same time wherever the hashes differ.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
  public static final String SCHEME = "pbkdf2-sha256";
  /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023): what {@code quern ui passwd} writes. */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** The fewest a file may name: fewer would make guessing cheap. */
  public static final int MIN_ITERATIONS = 1_000;
  /** More than this would let a file make every login take minutes. */
  public static final int MAX_ITERATIONS = 10_000_000;
  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;

  /** Hashes {@code password} with a new random salt. */
  public static PasswordHash create(char[] password, int iterations, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
  }

  /** Whether {@code password} has this hash (constant time in where they differ). */
  public boolean matches(char[] password) {
    return MessageDigest.isEqual(hash, derive(password, salt, iterations, hash.length));
  }

  static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
    } finally {
      spec.clearPassword();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash p && p.iterations == iterations
        && Arrays.equals(p.salt, salt) && Arrays.equals(p.hash, hash);
  }

  @Override
  public int hashCode() {
    return 31 * iterations + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return SCHEME + ":" + iterations + ":(salt and hash)";
  }
}
