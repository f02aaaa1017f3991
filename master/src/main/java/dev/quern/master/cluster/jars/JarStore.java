package dev.quern.master.cluster.jars;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master's jars (or split lists: {@link BlobKind}), content-addressed: {@code DIR/<sha256>.jar},
 * where the name is the lowercase hex SHA-256 of the bytes. A jar is written to a temporary file in the same directory, fsynced, its
 * hash checked, then renamed into place (and the directory fsynced), so a jar that is visible is
 * whole and durable: a crash mid-write leaves only a {@code .part} file, which the next start
 * deletes. Concurrent puts of one jar are harmless: each writes its own temporary file and the
 * rename of identical bytes over identical bytes is atomic.
 */
public final class JarStore {
  private static final Logger log = LoggerFactory.getLogger(JarStore.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final String PART = ".part";

  /** The hash of a stored jar did not match what the sender said it was. */
  public static final class HashMismatchException extends IOException {
    public HashMismatchException(String message) {
      super(message);
    }
  }

  /** A jar longer than the store's limit; nothing was kept. */
  public static final class TooLargeException extends IOException {
    private final long limit;

    public TooLargeException(String message, long limit) {
      super(message);
      this.limit = limit;
    }

    public long limit() {
      return limit;
    }
  }

  /** A jar in the store: its hash, its size and its file. */
  public record Stored(String sha256, long size, Path path) {}

  private final Path dir;
  private final BlobKind kind;

  /**
   * Opens (creating) the jar store in {@code dir} and deletes temporary files a crash left there.
   */
  public JarStore(Path dir) throws IOException {
    this(dir, BlobKind.JAR);
  }

  /** A store of {@code kind} in {@code dir}; see {@link #JarStore(Path)}. */
  public JarStore(Path dir, BlobKind kind) throws IOException {
    this.dir = dir;
    this.kind = kind;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "*" + PART)) {
      for (Path p : parts) {
        log.info("jar store {}: deleting {}, left by an interrupted write", dir, p.getFileName());
        Files.deleteIfExists(p);
      }
    }
  }

  public Path dir() {
    return dir;
  }

  public BlobKind kind() {
    return kind;
  }

  /** True if {@code s} is a SHA-256 as the store names jars: 64 lowercase hex digits. */
  public static boolean isSha256(String s) {
    return s != null && SHA256.matcher(s).matches();
  }

  /** The stored jar of hash {@code sha256}, if this store holds it. */
  public Optional<Stored> find(String sha256) throws IOException {
    requireSha(sha256);
    Path p = dir.resolve(sha256 + kind.suffix());
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    return Optional.of(new Stored(sha256, Files.size(p), p));
  }

  /**
   * Stores the bytes of {@code in} (read to its end, at most {@code maxBytes}).
   *
   * @param expected the hash the bytes must have, or null to take whatever they have
   * @throws HashMismatchException if {@code expected} is given and differs (nothing is kept)
   * @throws TooLargeException if {@code in} holds more than {@code maxBytes} (nothing is kept)
   */
  public Stored put(InputStream in, long maxBytes, String expected) throws IOException {
    if (expected != null) {
      requireSha(expected);
    }
    Path tmp = dir.resolve(UUID.randomUUID() + PART);
    try {
      MessageDigest md = sha256Digest();
      long size;
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        size = copy(new DigestInputStream(in, md), out, maxBytes);
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (expected != null && !expected.equals(actual)) {
        throw new HashMismatchException(kind.noun() + " sent as sha256 " + expected
            + " has sha256 " + actual
            + " (" + size + " bytes): refused");
      }
      // Durable before visible: the bytes, then the name.
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Path target = dir.resolve(actual + kind.suffix());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDir();
      return new Stored(actual, size, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Stores {@code bytes}; see {@link #put(InputStream, long, String)}. */
  public Stored put(byte[] bytes, String expected) throws IOException {
    return put(new ByteArrayInputStream(bytes), Long.MAX_VALUE, expected);
  }

  private long copy(InputStream in, OutputStream out, long maxBytes) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      total += n;
      if (total > maxBytes) {
        throw new TooLargeException(kind.noun() + " is larger than the limit of " + maxBytes
            + " bytes", maxBytes);
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  /** Deletes the stored bytes of hash {@code sha256}; false if the store did not hold them. */
  public boolean delete(String sha256) throws IOException {
    requireSha(sha256);
    return Files.deleteIfExists(dir.resolve(sha256 + kind.suffix()));
  }

  private void syncDir() throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static void requireSha(String s) {
    if (!isSha256(s)) {
      throw new IllegalArgumentException("not a SHA-256 (64 lowercase hex digits): '" + s + "'");
    }
  }
}
