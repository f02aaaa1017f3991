package dev.quern.master.cluster.jars;

import dev.quern.worker.cluster.JarCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * What a client needs to hand a jar to the cluster: its SHA-256 (the name the masters store it
 * under), and the job spec's reference to a stored jar.
 *
 * <pre>{@code
 * String sha = JarUpload.sha256(Path.of("app.jar"));
 * // POST the bytes to the leader's /api/cluster/jars; 201 {"sha256": sha} once a majority holds it
 * String jarRef = JarUpload.reference(sha);   // "sha256:<hex>", what workers fetch by
 * }</pre>
 */
public final class JarUpload {
  /** How a job spec names a stored jar: this prefix, then the hex SHA-256. */
  public static final String PREFIX = JarCache.PREFIX;
  /** Where a client uploads a jar (POST, the leader only). */
  public static final String PATH = "/api/cluster/jars";

  private JarUpload() {}

  /** The lowercase hex SHA-256 of the file's bytes. */
  public static String sha256(Path jar) throws IOException {
    MessageDigest md = JarStore.sha256Digest();
    try (InputStream in = Files.newInputStream(jar)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) != -1; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The job spec's reference to the stored jar of hash {@code sha256}. */
  public static String reference(String sha256) {
    if (!JarStore.isSha256(sha256)) {
      throw new IllegalArgumentException("not a SHA-256 (64 lowercase hex digits): '" + sha256 + "'");
    }
    return PREFIX + sha256;
  }
}
