package dev.quern.master.http.login;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Web UI sessions that any server holding the same key accepts: the session is the cookie's value,
 * {@code v1.PAYLOAD.MAC} with {@code PAYLOAD = base64url("ID:USER:ISSUED:LAST_SEEN")} (epoch
 * seconds) and {@code MAC = base64url(HMAC-SHA256(key, "v1." + PAYLOAD))}. Nothing is kept per
 * session, so every master of a cluster (they derive the same key from the cluster's credentials:
 * {@link UiLogin#create}) accepts a login made at another, and a restart logs nobody out. A local
 * UI has a random key of its own.
 *
 * <p>A session ends {@code idleTimeout} after its last-seen time or {@code maxAge} after its
 * login. The last-seen time moves only when the server gives the browser a new cookie ({@link
 * #renewed}), which it does as the user acts, at most once every {@link #renewEvery()}: so a
 * session is never counted idle while used, and can outlive its last use by at most that step.
 *
 * <p>Logout: the browser is told to drop the cookie, and the server that took the logout refuses
 * the session's id ({@code ID}, kept by every renewed cookie of one login) from then until its max
 * age, in memory. Other masters, and this one after a restart, do not know of it: a copy of the
 * cookie taken before the logout stays good there until it is idle for {@code idleTimeout}. We
 * chose that over a replicated revocation list: only a stolen copy can use it, and a thief of the
 * cookie can use it before the logout anyway; the idle timeout bounds both.
 */
public final class Sessions {
  private static final String VERSION = "v1";
  private static final Pattern VALUE =
      Pattern.compile("v1\\.([A-Za-z0-9_-]{1,400})\\.([A-Za-z0-9_-]{43})");
  /** The most logouts remembered; beyond it the oldest is forgotten (it then lasts its idle). */
  static final int MAX_REVOKED = 10_000;

  /** One session: its id (the same for every renewal of one login), user and times. */
  public record Session(String id, String user, Instant created, Instant lastUsed) {}

  private final Clock clock;
  private final Duration idleTimeout;
  private final Duration maxAge;
  private final byte[] key;
  private final String cookieName;
  private final SecureRandom random = new SecureRandom();
  /** Ids logged out here, with when they would end anyway (their max age). */
  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

  /**
   * @param key the HMAC key (at least 32 bytes), shared by the servers that accept each other's
   *     sessions
   */
  public Sessions(Clock clock, Duration idleTimeout, Duration maxAge, byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("a session key needs at least 32 bytes, got "
          + key.length);
    }
    this.clock = clock;
    this.idleTimeout = idleTimeout;
    this.maxAge = maxAge;
    this.key = key.clone();
    // Named by the key: servers of one cluster share it, two UIs on one host keep theirs apart.
    this.cookieName = SessionCookie.PREFIX + b64(hmac("cookie-name")).substring(0, 10);
  }

  /** Sessions under a random key of their own: a local UI, whose sessions no other accepts. */
  public static Sessions ofRandomKey(Clock clock, Duration idleTimeout, Duration maxAge) {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return new Sessions(clock, idleTimeout, maxAge, k);
  }

  /** The cookie's name: the same on every server of this key. */
  public String cookieName() {
    return cookieName;
  }

  /** How often a used session gets a new cookie: a tenth of the idle timeout, at most a minute. */
  public Duration renewEvery() {
    Duration tenth = idleTimeout.dividedBy(10);
    return tenth.compareTo(Duration.ofMinutes(1)) < 0 ? tenth : Duration.ofMinutes(1);
  }

  /** A new session of {@code user}; returns the cookie's value (a secret: never log it). */
  public String create(String user) {
    if (user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a user name with ':' cannot have a session");
    }
    byte[] id = new byte[16];
    random.nextBytes(id);
    Instant now = clock.instant();
    return value(new Session(b64(id), user, now, now));
  }

  /** The live session of cookie value {@code value}; empty if forged, tampered, ended or expired. */
  public Optional<Session> use(String value) {
    if (value == null) {
      return Optional.empty();
    }
    var m = VALUE.matcher(value);
    if (!m.matches()) {
      return Optional.empty();
    }
    byte[] presented = Base64.getUrlDecoder().decode(m.group(2));
    if (!MessageDigest.isEqual(presented, hmac(VERSION + "." + m.group(1)))) {
      return Optional.empty();
    }
    String[] f;
    try {
      f = new String(Base64.getUrlDecoder().decode(m.group(1)), StandardCharsets.UTF_8)
          .split(":", -1);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (f.length != 4) {
      return Optional.empty();
    }
    Session s;
    try {
      s = new Session(f[0], f[1], Instant.ofEpochSecond(Long.parseLong(f[2])),
          Instant.ofEpochSecond(Long.parseLong(f[3])));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now) || revoked.containsKey(s.id())) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** A new cookie value for {@code s}, seen now, if its last one is {@link #renewEvery()} old. */
  public Optional<String> renewed(Session s) {
    Instant now = clock.instant();
    if (now.isBefore(s.lastUsed().plus(renewEvery()))) {
      return Optional.empty();
    }
    return Optional.of(value(new Session(s.id(), s.user(), s.created(), now)));
  }

  /** Ends the session of cookie value {@code value} here (logout); false if it was not live. */
  public boolean end(String value) {
    Optional<Session> s = use(value);
    if (s.isEmpty()) {
      return false;
    }
    Instant now = clock.instant();
    revoked.values().removeIf(until -> !now.isBefore(until));
    if (revoked.size() >= MAX_REVOKED) {
      revoked.entrySet().stream().min(Map.Entry.comparingByValue())
          .ifPresent(e -> revoked.remove(e.getKey()));
    }
    revoked.put(s.get().id(), s.get().created().plus(maxAge));
    return true;
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastUsed().plus(idleTimeout))
        || !now.isBefore(s.created().plus(maxAge));
  }

  private String value(Session s) {
    String payload = b64((s.id() + ":" + s.user() + ":" + s.created().getEpochSecond() + ":"
        + s.lastUsed().getEpochSecond()).getBytes(StandardCharsets.UTF_8));
    String signed = VERSION + "." + payload;
    return signed + "." + b64(hmac(signed));
  }

  private byte[] hmac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
