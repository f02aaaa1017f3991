package dev.quern.worker.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * What an HTTP client of a cluster's masters needs: for a secured cluster the client token (sent
 * as {@code Authorization: Bearer}, {@link HttpAuth}) and TLS that trusts the cluster CA alone
 * (the masters serve HTTPS only); for an unsecured one neither, and plain HTTP. A client learns
 * which from the credentials directory it already reads the token from ({@value HttpAuth#ENV},
 * or a master's or worker's {@code --security}): the {@code quern://} address is the same either
 * way, the scheme follows the credentials.
 *
 * <pre>{@code
 * ClusterAccess access = ClusterAccess.fromEnvironment();
 * HttpClient http = access.clientBuilder().build();
 * http.send(access.authorize(HttpRequest.newBuilder(access.uri("127.0.0.1:8080", "/api/cluster")))
 *     .build(), BodyHandlers.ofString());
 * }</pre>
 */
public final class ClusterAccess {
  /** An unsecured cluster: plain HTTP, no token. */
  public static final ClusterAccess NONE = new ClusterAccess(null, null);

  private final String token;
  private final SSLContext tls;

  /**
   * @param token the client token, or null: none sent
   * @param tls the context that trusts the cluster CA, or null: plain HTTP
   */
  public ClusterAccess(String token, SSLContext tls) {
    this.token = token;
    this.tls = tls;
  }

  /** A master's or worker's own access: its credentials' token and CA, or {@link #NONE}. */
  public static ClusterAccess of(ClusterCredentials credentials) {
    return credentials == null ? NONE
        : new ClusterAccess(credentials.clientToken(), credentials.trustContext());
  }

  /**
   * The access the credentials in {@code dir} give a client: its token and its trust store
   * (opened with its store password). Throws {@link IllegalArgumentException} naming what is
   * missing.
   */
  public static ClusterAccess fromDir(Path dir) {
    return new ClusterAccess(HttpAuth.token(dir), ClusterCredentials.trustContext(dir));
  }

  /** {@link #fromDir} of the directory {@value HttpAuth#ENV} names, or {@link #NONE}. */
  public static ClusterAccess fromEnvironment() {
    String dir = System.getenv(HttpAuth.ENV);
    return dir == null || dir.isBlank() ? NONE : fromDir(Path.of(dir.trim()));
  }

  /** {@link #fromDir} when {@code dir} holds a client token, else {@link #NONE}. */
  public static ClusterAccess ifPresent(Path dir) {
    return Files.isRegularFile(dir.resolve(ClusterCredentials.CLIENT_TOKEN)) ? fromDir(dir) : NONE;
  }

  /** Whether the cluster is secured: HTTPS. */
  public boolean secure() {
    return tls != null;
  }

  /** {@code https} or {@code http}. */
  public String scheme() {
    return secure() ? "https" : "http";
  }

  /** {@code SCHEME://hostPort + path}. */
  public URI uri(String hostPort, String path) {
    return URI.create(scheme() + "://" + hostPort + path);
  }

  /** The client token, or null. */
  public String token() {
    return token;
  }

  /** Adds the token's header, if there is a token; returns {@code b}. */
  public HttpRequest.Builder authorize(HttpRequest.Builder b) {
    if (token != null) {
      b.header(HttpAuth.HEADER, HttpAuth.bearer(token));
    }
    return b;
  }

  /** A JDK client builder that trusts the cluster CA alone when secured. */
  public HttpClient.Builder clientBuilder() {
    HttpClient.Builder b = HttpClient.newBuilder();
    if (tls != null) {
      b.sslContext(tls);
    }
    return b;
  }

  /** The TLS context, or null. */
  public SSLContext tls() {
    return tls;
  }

  @Override
  public String toString() {
    // Never the token.
    return "ClusterAccess[" + scheme() + (token == null ? "" : ", token") + "]";
  }
}
