package dev.quern.worker.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The client token on HTTP: a secured master's endpoints take only requests that carry
 * {@code Authorization: Bearer <client-token>} ({@link ClusterCredentials#CLIENT_TOKEN}), and
 * every Quern client of a secured cluster sends it. A client finds the token in the credentials
 * directory that {@value #ENV} names (a master or worker: the directory of its {@code --security}).
 *
 * <pre>{@code
 * Optional<String> token = HttpAuth.tokenFromEnvironment();
 * token.ifPresent(t -> request.header(HttpAuth.HEADER, HttpAuth.bearer(t)));
 * }</pre>
 */
public final class HttpAuth {
  /** The request header that carries the token. */
  public static final String HEADER = "Authorization";
  /** The environment variable a client reads the credentials directory from. */
  public static final String ENV = "QUERN_SECURITY";
  private static final String SCHEME = "Bearer ";

  private HttpAuth() {}

  /** The header's value for {@code token}. */
  public static String bearer(String token) {
    return SCHEME + token;
  }

  /**
   * Whether {@code authorization} (the header's value, null when absent) carries the client
   * token of {@code credentials}; the comparison takes the same time wherever they differ.
   */
  public static boolean allows(ClusterCredentials credentials, String authorization) {
    if (authorization == null || authorization.length() < SCHEME.length()
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return credentials.isClientToken(authorization.substring(SCHEME.length()).trim());
  }

  /** The client token in {@code dir} ({@value ClusterCredentials#CLIENT_TOKEN}). */
  public static String token(Path dir) {
    Path f = dir.resolve(ClusterCredentials.CLIENT_TOKEN);
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("cluster credentials: missing " + f + "; "
          + ClusterCredentials.HOW_TO_CREATE.replace("DIR", dir.toString()));
    }
    try {
      String t = Files.readString(f, StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) {
        throw new IllegalArgumentException("cluster credentials: " + f + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw new IllegalArgumentException("cluster credentials: cannot read " + f + " ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** The token of the directory {@value #ENV} names; empty when it is unset or blank. */
  public static Optional<String> tokenFromEnvironment() {
    String dir = System.getenv(ENV);
    return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(token(Path.of(dir.trim())));
  }
}
