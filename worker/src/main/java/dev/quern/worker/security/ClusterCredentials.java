package dev.quern.worker.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's credentials as {@code quern cluster init} wrote them ({@link CredentialsInit}):
 * the node identity ({@value #KEY_STORE}, PKCS12: the node's key and its certificate chain up to
 * the cluster CA), the trust store ({@value #TRUST_STORE}, PKCS12: the CA certificate alone), the
 * password of both ({@value #STORE_PASSWORD}) and the client token ({@value #CLIENT_TOKEN}).
 * Pekko Artery (TLS, mutual authentication) and the HTTP endpoints read the same two stores.
 *
 * <p>Nothing here ever prints the password or the token: {@link #toString()} names the directory
 * only, and errors name files, never contents.
 */
public final class ClusterCredentials {
  private static final Logger log = LoggerFactory.getLogger(ClusterCredentials.class);

  public static final String KEY_STORE = "node.p12";
  public static final String TRUST_STORE = "truststore.p12";
  public static final String STORE_PASSWORD = "store-password";
  public static final String CLIENT_TOKEN = "client-token";
  /**
   * The cluster's shuffle secret (32 random bytes, URL-safe Base64): workers derive each job's
   * shuffle key from it ({@link #shuffleKey}); it never leaves the worker processes.
   */
  public static final String SHUFFLE_SECRET = "shuffle-secret";
  /** The CA's certificate (PEM), for clients such as curl ({@code --cacert}). */
  public static final String CA_CERT = "ca.crt";
  /** The CA's private key (PEM, PKCS#8): only {@code quern cluster init} needs it. */
  public static final String CA_KEY = "ca.key";
  /** The node's key alias in {@value #KEY_STORE}. */
  public static final String NODE_ALIAS = "node";
  /** The CA certificate's alias in {@value #TRUST_STORE}. */
  public static final String CA_ALIAS = "cluster-ca";
  /** What every error about missing credentials ends with. */
  public static final String HOW_TO_CREATE = "create them with 'quern cluster init --dir DIR'";

  private final Path dir;
  private final char[] password;
  private final byte[] token;
  private final byte[] shuffleSecret;
  private final KeyStore keyStore;
  private final KeyStore trustStore;

  private ClusterCredentials(Path dir, char[] password, byte[] token, byte[] shuffleSecret,
      KeyStore keyStore, KeyStore trustStore) {
    this.dir = dir;
    this.password = password;
    this.token = token;
    this.shuffleSecret = shuffleSecret;
    this.keyStore = keyStore;
    this.trustStore = trustStore;
  }

  /**
   * Reads the credentials in {@code dir}; throws {@link IllegalArgumentException} naming the file
   * that is missing, unreadable or not what it should be.
   */
  public static ClusterCredentials load(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(d)) {
      throw new IllegalArgumentException("cluster credentials: no directory " + d + "; "
          + HOW_TO_CREATE.replace("DIR", d.toString()));
    }
    char[] password = secret(d, STORE_PASSWORD).toCharArray();
    byte[] token = secret(d, CLIENT_TOKEN).getBytes(StandardCharsets.UTF_8);
    byte[] shuffle = secret(d, SHUFFLE_SECRET).getBytes(StandardCharsets.UTF_8);
    KeyStore keys = store(d, KEY_STORE, password);
    KeyStore trust = store(d, TRUST_STORE, password);
    try {
      if (!keys.isKeyEntry(NODE_ALIAS)) {
        throw new IllegalArgumentException("cluster credentials: " + d.resolve(KEY_STORE)
            + " holds no key '" + NODE_ALIAS + "'");
      }
      if (!trust.isCertificateEntry(CA_ALIAS)) {
        throw new IllegalArgumentException("cluster credentials: " + d.resolve(TRUST_STORE)
            + " holds no certificate '" + CA_ALIAS + "'");
      }
    } catch (java.security.KeyStoreException e) {
      throw new IllegalStateException(e);
    }
    warnIfOpen(d);
    return new ClusterCredentials(d, password, token, shuffle, keys, trust);
  }

  private static String secret(Path dir, String name) {
    String s = new String(read(dir, name), StandardCharsets.UTF_8).trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("cluster credentials: " + dir.resolve(name)
          + " is empty");
    }
    return s;
  }

  private static byte[] read(Path dir, String name) {
    Path f = dir.resolve(name);
    if (!Files.exists(f)) {
      throw new IllegalArgumentException("cluster credentials: missing " + f + "; "
          + HOW_TO_CREATE.replace("DIR", dir.toString()));
    }
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new IllegalArgumentException("cluster credentials: cannot read " + f + " ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static KeyStore store(Path dir, String name, char[] password) {
    byte[] bytes = read(dir, name);
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      // The message of a wrong password or a damaged file names no secret.
      throw new IllegalArgumentException("cluster credentials: " + dir.resolve(name)
          + " is not a PKCS12 store that " + STORE_PASSWORD + " opens (" + e.getMessage() + ")");
    }
  }

  /** ssh's rule, as a warning: credentials readable by others are not secret. */
  private static void warnIfOpen(Path dir) {
    for (String name : List.of(KEY_STORE, STORE_PASSWORD, CLIENT_TOKEN, SHUFFLE_SECRET)) {
      Path f = dir.resolve(name);
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
        if (!Collections.disjoint(perms, Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ))) {
          log.warn("cluster credentials: {} is readable by others than its owner ({})", f,
              java.nio.file.attribute.PosixFilePermissions.toString(perms));
        }
      } catch (IOException | UnsupportedOperationException e) {
        return; // not a POSIX file system: nothing to say
      }
    }
  }

  /** The directory the credentials were read from. */
  public Path dir() {
    return dir;
  }

  public Path keyStorePath() {
    return dir.resolve(KEY_STORE);
  }

  public Path trustStorePath() {
    return dir.resolve(TRUST_STORE);
  }

  /** The password of both stores (and of the node key), a copy. */
  public char[] storePassword() {
    return password.clone();
  }

  /** The client token, for a client to send. */
  public String clientToken() {
    return new String(token, StandardCharsets.UTF_8);
  }

  /** Whether {@code presented} is the client token, in time independent of where they differ. */
  public boolean isClientToken(String presented) {
    return presented != null
        && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A TLS context that presents the node identity and trusts the cluster CA alone: for HTTP
   * servers, and for clients inside the cluster (which then also authenticate as a node).
   */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cluster credentials in " + dir + ": no TLS context ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * A TLS context that trusts the cluster CA alone and presents no identity: for the HTTP clients
   * inside the cluster (the servers authenticate requests by token or MAC, not by certificate).
   */
  public SSLContext trustContext() {
    return trustContext(trustStore, dir);
  }

  /**
   * The trust-only TLS context of the credentials in {@code dir}: its trust store opened with its
   * store password (a client's view: it needs neither the node key nor the shuffle secret).
   */
  public static SSLContext trustContext(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    char[] password = secret(d, STORE_PASSWORD).toCharArray();
    return trustContext(store(d, TRUST_STORE, password), d);
  }

  /** A TLS context that trusts {@code trust} alone. */
  public static SSLContext trustContext(KeyStore trust, Object where) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cluster credentials in " + where + ": no TLS context ("
          + e.getMessage() + ")", e);
    }
  }

  /** The cluster CA's certificate (from the trust store). */
  public java.security.cert.X509Certificate caCertificate() {
    try {
      return (java.security.cert.X509Certificate) trustStore.getCertificate(CA_ALIAS);
    } catch (java.security.KeyStoreException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Job {@code jobId}'s shuffle key, HMAC-SHA256(shuffle secret, job id): what that job's tasks
   * sign their fetches with ({@link ShuffleMac}), and all a task of that job is given.
   */
  public byte[] shuffleKey(String jobId) {
    return ShuffleMac.jobKey(shuffleSecret, jobId);
  }

  /** The key store as loaded (the node identity). */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** The trust store as loaded (the cluster CA). */
  public KeyStore trustStore() {
    return trustStore;
  }

  @Override
  public String toString() {
    return "ClusterCredentials[" + dir + "]";
  }

  /**
   * The web UI's session key, HMAC-SHA256(shuffle secret, "\0quern-ui-session"): the same on
   * every master of the cluster, so each accepts the sessions of the others. The label starts
   * with a NUL, which no job id holds, so no job's shuffle key (which a job's tasks get) is it.
   */
  public byte[] uiSessionKey() {
    return ShuffleMac.jobKey(shuffleSecret, "\0quern-ui-session");
  }
}
