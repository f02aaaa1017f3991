package dev.quern.worker.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's copies of stored job jars, {@code DIR/<sha256>.jar}. A jar the worker lacks is
 * fetched from the masters ({@code GET /api/cluster/jars/<sha256>} on each master's HTTP address
 * in turn, since any majority of them holds it), hashed as it streams to a temporary file, and
 * renamed into place only if its SHA-256 is the one asked for: a corrupt or truncated download is
 * deleted and the next master is tried. So a jar in the cache is always the one its name says.
 */
public final class JarCache {
  private static final Logger log = LoggerFactory.getLogger(JarCache.class);

  /** How a job spec names a stored jar: this prefix, then the lowercase hex SHA-256. */
  public static final String PREFIX = "sha256:";
  /** The masters' route for one jar; the hash follows. */
  public static final String ROUTE = "/api/cluster/jars/";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final String PART = ".part";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final boolean allowPrivate;
  private final dev.quern.worker.security.ClusterAccess access;
  private final List<String> configured;
  /** The configured masters, then those the leader named ({@link #learn}); replaced whole. */
  private volatile List<String> masters;
  private final HttpClient http;

  /**
   * @param dir the cache directory (created; temporary files a crash left there are deleted)
   * @param masters the masters' HTTP addresses, {@code host:port}
   */
  public JarCache(Path dir, List<String> masters) throws IOException {
    this(dir, masters, false);
  }

  /**
   * As {@link #JarCache(Path, List)}; {@code allowPrivate} (the worker's
   * {@code unsafe-allow-private-bind}) also takes masters at RFC 1918 addresses from the leader.
   */
  public JarCache(Path dir, List<String> masters, boolean allowPrivate) throws IOException {
    this(dir, masters, allowPrivate, (String) null);
  }

  /**
   * As {@link #JarCache(Path, List, boolean)}, sending {@code token} (a secured cluster's client
   * token; null: none) with every fetch.
   */
  public JarCache(Path dir, List<String> masters, boolean allowPrivate, String token)
      throws IOException {
    this(dir, masters, allowPrivate, new dev.quern.worker.security.ClusterAccess(token, null));
  }

  /**
   * As {@link #JarCache(Path, List, boolean)}, fetching as {@code access} says: a secured
   * cluster's masters over HTTPS (trusting the cluster CA alone) with the client token.
   */
  public JarCache(Path dir, List<String> masters, boolean allowPrivate,
      dev.quern.worker.security.ClusterAccess access) throws IOException {
    this.access = access;
    this.http = access.clientBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.allowPrivate = allowPrivate;
    this.dir = dir;
    this.configured = List.copyOf(masters);
    this.masters = this.configured;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "*" + PART)) {
      for (Path p : parts) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The masters' HTTP addresses as the leader knows them: a restarted master may listen
   * elsewhere, and a worker started without {@code master-http} learns them here.
   */
  public void learn(List<String> httpAddresses) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(configured);
    for (String a : httpAddresses) {
      try {
        Loopback.require("a master's HTTP address", a, allowPrivate, access.secure());
        all.add(a);
      } catch (IllegalArgumentException e) {
        log.warn("ignoring master address {}: {}", a, e.getMessage());
      }
    }
    masters = List.copyOf(all);
  }

  /** True if {@code jar} names a stored jar ({@value #PREFIX}...) rather than a path. */
  public static boolean isReference(String jar) {
    return jar != null && jar.startsWith(PREFIX);
  }

  /**
   * The local file of the stored jar that {@code reference} ({@value #PREFIX}HEX) names, fetched
   * from the masters unless the cache holds it.
   *
   * @throws IllegalArgumentException if {@code reference} is malformed
   * @throws IOException naming every master tried and why each failed
   */
  public Path resolve(String reference) throws IOException {
    String sha = isReference(reference) ? reference.substring(PREFIX.length()) : "";
    if (!SHA256.matcher(sha).matches()) {
      throw new IllegalArgumentException("job jar reference '" + reference + "' is not "
          + PREFIX + " followed by 64 lowercase hex digits");
    }
    Path target = dir.resolve(sha + ".jar");
    if (Files.isRegularFile(target)) {
      return target;
    }
    List<String> masters = this.masters;
    if (masters.isEmpty()) {
      throw new IOException("cannot fetch job jar " + reference + ": this worker knows no "
          + "master's HTTP address (quern.worker.master-http)");
    }
    List<String> failures = new ArrayList<>();
    for (String master : masters) {
      try {
        fetch(master, sha, target);
        log.info("fetched job jar {} from master {}", sha, master);
        return target;
      } catch (IOException e) {
        failures.add(master + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching job jar " + reference, e);
      }
    }
    throw new IOException("cannot fetch job jar " + reference + " from any master: "
        + String.join("; ", failures));
  }

  private void fetch(String master, String sha, Path target) throws IOException, InterruptedException {
    HttpRequest req = access.authorize(HttpRequest.newBuilder(access.uri(master, ROUTE + sha))
        .timeout(TIMEOUT).GET()).build();
    HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    Path tmp = dir.resolve(UUID.randomUUID() + PART);
    try (InputStream body = r.body()) {
      if (r.statusCode() != 200) {
        String text = new String(body.readNBytes(500), StandardCharsets.UTF_8);
        throw new IOException("HTTP " + r.statusCode() + " " + text);
      }
      MessageDigest md = sha256();
      long size;
      try (InputStream in = new DigestInputStream(body, md);
          OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        size = in.transferTo(out);
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(sha)) {
        throw new IOException("the download has sha256 " + actual + " (" + size
            + " bytes), not the one asked for: refused");
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
