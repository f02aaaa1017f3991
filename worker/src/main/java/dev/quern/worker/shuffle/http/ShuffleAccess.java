package dev.quern.worker.shuffle.http;

import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.ShuffleMac;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * How a reduce fetches map outputs from other workers' shuffle servers: in a secured cluster over
 * HTTPS that trusts the cluster CA alone, each request signed with its job's shuffle key
 * ({@link ShuffleMac}); in an unsecured one over plain HTTP, unsigned.
 *
 * <p>Who holds which key: a worker process holds the cluster's shuffle secret and derives any
 * job's key ({@link #of}). An executor JVM runs one job's user code and is given that job's key
 * alone, with the CA certificate, in its environment ({@link #executorEnvironment},
 * {@link #fromEnvironment}): it can sign fetches for its own job and no other, and it never sees
 * the secret, the node key or the store password. (Its environment is readable by the same OS
 * user only; a task of the same user that reads the worker's files directly is not stopped by
 * this, as with Hadoop's default container executor.)
 */
public final class ShuffleAccess {
  /** Plain HTTP, unsigned requests: an unsecured cluster. */
  public static final ShuffleAccess NONE = new ShuffleAccess(null, null, j -> null);
  /** The executor's environment variable with its job's key (URL-safe Base64). */
  public static final String KEY_ENV = "QUERN_SHUFFLE_KEY";
  /** The executor's environment variable with the cluster CA's certificate (Base64 DER). */
  public static final String CA_ENV = "QUERN_SHUFFLE_CA";

  private final SSLContext tls;
  private final X509Certificate ca;
  private final Function<String, byte[]> keys;

  private ShuffleAccess(SSLContext tls, X509Certificate ca, Function<String, byte[]> keys) {
    this.tls = tls;
    this.ca = ca;
    this.keys = keys;
  }

  /** A worker's access: every job's key from the credentials' secret; or {@link #NONE}. */
  public static ShuffleAccess of(ClusterCredentials credentials) {
    return credentials == null ? NONE : new ShuffleAccess(credentials.trustContext(),
        credentials.caCertificate(), credentials::shuffleKey);
  }

  /** One job's access: {@code key} signs requests for {@code jobId}; others go unsigned. */
  public static ShuffleAccess forJob(X509Certificate ca, String jobId, byte[] key) {
    byte[] k = key.clone();
    return new ShuffleAccess(trusting(ca), ca, j -> j.equals(jobId) ? k.clone() : null);
  }

  /**
   * What an executor JVM of job {@code jobId} is started with: its job's key and the CA
   * certificate; empty for an unsecured cluster.
   */
  public Map<String, String> executorEnvironment(String jobId) {
    if (tls == null) {
      return Map.of();
    }
    try {
      return Map.of(KEY_ENV, Base64.getUrlEncoder().withoutPadding().encodeToString(
          keys.apply(jobId)), CA_ENV, Base64.getEncoder().encodeToString(ca.getEncoded()));
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("the cluster CA certificate cannot be encoded", e);
    }
  }

  /** The access an executor of {@code jobId} was started with ({@code env}), or {@link #NONE}. */
  public static ShuffleAccess fromEnvironment(String jobId, Map<String, String> env) {
    String key = env.get(KEY_ENV);
    String ca = env.get(CA_ENV);
    if (key == null || ca == null || key.isBlank() || ca.isBlank()) {
      return NONE;
    }
    try {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(ca.trim())));
      return forJob(cert, jobId, Base64.getUrlDecoder().decode(key.trim()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("executor of job " + jobId + ": " + KEY_ENV + " or "
          + CA_ENV + " is not what the worker writes (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static SSLContext trusting(X509Certificate ca) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry(ClusterCredentials.CA_ALIAS, ca);
      return ClusterCredentials.trustContext(ks, "the executor's environment");
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new IllegalStateException("no trust store for the cluster CA", e);
    }
  }

  /** Whether fetches go over HTTPS. */
  public boolean secure() {
    return tls != null;
  }

  String scheme() {
    return secure() ? "https" : "http";
  }

  SSLContext tls() {
    return tls;
  }

  /** The MAC header's value for {@code path} of job {@code jobId}, or null: none to send. */
  String sign(String jobId, String path) {
    byte[] key = keys.apply(jobId);
    return key == null ? null : ShuffleMac.sign(key, path);
  }

  @Override
  public String toString() {
    return "ShuffleAccess[" + scheme() + "]";
  }
}
