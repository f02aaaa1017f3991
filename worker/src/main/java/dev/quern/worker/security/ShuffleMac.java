package dev.quern.worker.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-job shuffle token, as Hadoop's shuffle has it: a fetch of map output carries
 * {@value #HEADER}{@code : base64url(HMAC-SHA256(jobKey, path))}, where {@code path} is the
 * request's path ({@code /shuffle/{job}/{mapAttempt}/{partition}}: job, map and partition) and
 * {@code jobKey = HMAC-SHA256(cluster shuffle secret, jobId)}. A worker holds the secret and can
 * check any job's MAC; a job's tasks hold only their own job's key, so they can sign requests for
 * their own job's map outputs and no other's.
 *
 * <pre>{@code
 * byte[] key = credentials.shuffleKey("job-0001");          // on the worker
 * request.header(ShuffleMac.HEADER, ShuffleMac.sign(key, "/shuffle/job-0001/m-00000_0/3"));
 * }</pre>
 */
public final class ShuffleMac {
  /** The request header that carries the MAC. */
  public static final String HEADER = "Quern-Shuffle-Mac";
  private static final String ALGORITHM = "HmacSHA256";

  private ShuffleMac() {}

  /** HMAC-SHA256({@code secret}, {@code jobId}): a job's shuffle key. */
  public static byte[] jobKey(byte[] secret, String jobId) {
    return hmac(secret, jobId);
  }

  /** The header value for a request of {@code path} under job key {@code key}. */
  public static String sign(byte[] key, String path) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, path));
  }

  /**
   * Whether {@code presented} (the header's value, null when absent) is the MAC of {@code path}
   * under {@code key}; the comparison takes the same time wherever they differ.
   */
  public static boolean verify(byte[] key, String path, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(key, path).getBytes(StandardCharsets.US_ASCII),
        presented.trim().getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }
}
