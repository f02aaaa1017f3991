package dev.quern.master.http.login;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The logged-in sessions of one server, in memory (a restart logs everybody out). An id is 256
 * random bits from {@link SecureRandom}, Base64url; a session ends after {@code idleTimeout}
 * without a request, or {@code maxAge} after its login, or at logout. Time comes from the clock
 * given, so tests move it instead of waiting.
 */
public final class Sessions {
  /** The most sessions kept; the oldest goes when a login would pass it. */
  static final int MAX_SESSIONS = 10_000;

  /** One session: who logged in and when, and when it was last used. */
  public record Session(String user, Instant created, Instant lastUsed) {}

  private final Clock clock;
  private final Duration idleTimeout;
  private final Duration maxAge;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();

  public Sessions(Clock clock, Duration idleTimeout, Duration maxAge) {
    this.clock = clock;
    this.idleTimeout = idleTimeout;
    this.maxAge = maxAge;
  }

  /** A new session of {@code user}; returns its id (a secret: never log it). */
  public String create(String user) {
    purge();
    if (byId.size() >= MAX_SESSIONS) {
      byId.entrySet().stream().min(Map.Entry.comparingByValue(
          (a, b) -> a.created().compareTo(b.created())))
          .ifPresent(e -> byId.remove(e.getKey()));
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = clock.instant();
    byId.put(id, new Session(user, now, now));
    return id;
  }

  /** The live session of {@code id}, marked used now; empty if unknown or expired (then gone). */
  public Optional<Session> use(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Session s = byId.computeIfPresent(id, (k, v) -> expired(v, now) ? null
        : new Session(v.user(), v.created(), now));
    return Optional.ofNullable(s);
  }

  /** Ends the session of {@code id} (logout); false if there was none. */
  public boolean end(String id) {
    return id != null && byId.remove(id) != null;
  }

  public int size() {
    return byId.size();
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastUsed().plus(idleTimeout)) || !now.isBefore(s.created().plus(maxAge));
  }

  private void purge() {
    Instant now = clock.instant();
    byId.values().removeIf(s -> expired(s, now));
  }
}
