package dev.quern.master.http.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Signed session cookies: one per login, expiry on the idle and the absolute timeout (a virtual
 * clock), renewal, logout, and refusal under another key or once tampered with.
 */
class SessionsTest {
  final StepClock clock = new StepClock(Instant.parse("2026-01-01T00:00:00Z"));
  final Sessions sessions =
      Sessions.ofRandomKey(clock, Duration.ofMinutes(30), Duration.ofHours(2));

  @Test
  void cookiesAreDistinctPerLoginAndNameTheirUser() {
    Set<String> values = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String v = sessions.create("alice");
      values.add(v);
      Sessions.Session s = sessions.use(v).orElseThrow();
      assertThat(s.user()).isEqualTo("alice");
      assertThat(Base64.getUrlDecoder().decode(s.id())).hasSize(16);
      ids.add(s.id());
    }
    assertThat(values).hasSize(200);
    assertThat(ids).hasSize(200);
  }

  /** Uses the session as a browser does: it keeps the newest cookie the server gave it. */
  private String use(String value) {
    Sessions.Session s = sessions.use(value).orElse(null);
    if (s == null) {
      return null;
    }
    return sessions.renewed(s).orElse(value);
  }

  @Test
  void aSessionUnusedForTheIdleTimeoutEnds() {
    String v = sessions.create("alice");
    clock.advance(Duration.ofMinutes(29));
    v = use(v);
    assertThat(v).isNotNull();
    clock.advance(Duration.ofMinutes(29)); // 58 min after login, 29 after the last use
    v = use(v);
    assertThat(v).isNotNull();
    clock.advance(Duration.ofMinutes(30));
    assertThat(sessions.use(v)).as("30 min idle").isEmpty();
    clock.advance(Duration.ofMinutes(-30));
    assertThat(sessions.use(v)).as("30 min earlier, still good: nothing is kept").isPresent();
  }

  @Test
  void aCookieNotRenewedEndsAtTheIdleTimeoutThoughUsed() {
    String v = sessions.create("alice");
    clock.advance(Duration.ofMinutes(20));
    assertThat(sessions.use(v)).isPresent();
    clock.advance(Duration.ofMinutes(10));
    assertThat(sessions.use(v)).as("its last-seen time is the login's").isEmpty();
  }

  @Test
  void aCookieIsRenewedAtMostEveryTenthOfTheIdleTimeoutOrMinute() {
    assertThat(sessions.renewEvery()).isEqualTo(Duration.ofMinutes(1));
    assertThat(new Sessions(clock, Duration.ofMinutes(5), Duration.ofHours(1), new byte[32])
        .renewEvery()).isEqualTo(Duration.ofSeconds(30));
    String v = sessions.create("alice");
    clock.advance(Duration.ofSeconds(59));
    assertThat(sessions.renewed(sessions.use(v).orElseThrow())).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    String renewed = sessions.renewed(sessions.use(v).orElseThrow()).orElseThrow();
    Sessions.Session s = sessions.use(renewed).orElseThrow();
    assertThat(s.lastUsed()).isEqualTo(clock.instant());
    assertThat(s.created()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(s.id()).isEqualTo(sessions.use(v).orElseThrow().id());
  }

  @Test
  void aSessionEndsAtItsMaxAgeThoughUsed() {
    String v = sessions.create("alice");
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofMinutes(17));
      v = use(v);
      assertThat(v).as("after %d min", 17 * (i + 1)).isNotNull();
    }
    clock.advance(Duration.ofMinutes(1)); // 2 h exactly
    assertThat(sessions.use(v)).as("at the absolute timeout").isEmpty();
  }

  @Test
  void logoutEndsOneLoginWithEveryRenewalOfIt() {
    String a = sessions.create("alice");
    String b = sessions.create("alice");
    clock.advance(Duration.ofMinutes(2));
    String renewedA = use(a);
    assertThat(renewedA).isNotEqualTo(a);
    assertThat(sessions.end(a)).isTrue();
    assertThat(sessions.end(a)).isFalse();
    assertThat(sessions.use(a)).isEmpty();
    assertThat(sessions.use(renewedA)).as("a renewal of the same login").isEmpty();
    assertThat(sessions.use(b)).isPresent();
    assertThat(sessions.use(null)).isEmpty();
    assertThat(sessions.use("not-a-session")).isEmpty();
  }

  @Test
  void anotherKeyOrATamperedCookieIsRefused() {
    byte[] key = new byte[32];
    key[0] = 1;
    Sessions one = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(2), key);
    Sessions sameKey = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(2),
        key.clone());
    byte[] otherKey = key.clone();
    otherKey[31] = 1;
    Sessions other = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(2), otherKey);
    String v = one.create("alice");
    assertThat(sameKey.use(v)).get().extracting(Sessions.Session::user).isEqualTo("alice");
    assertThat(sameKey.cookieName()).isEqualTo(one.cookieName());
    assertThat(other.use(v)).as("another key").isEmpty();
    assertThat(other.cookieName()).isNotEqualTo(one.cookieName());
    String[] parts = v.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String[] f = payload.split(":");
    String later = f[0] + ":" + f[1] + ":" + (Long.parseLong(f[2]) + 3600) + ":" + f[3];
    for (String changed : new String[] {payload.replace("alice", "admin"), later}) {
      String forged = "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(
          changed.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
      assertThat(one.use(forged)).as("payload %s under the old MAC", changed).isEmpty();
    }
    // The first character: the last one of a 32-byte MAC carries two unused bits that the
    // decoder ignores, so changing it from 'A' to 'B' may leave the MAC as it was.
    char first = parts[2].charAt(0);
    String flipped = "v1." + parts[1] + "." + (first == 'A' ? 'B' : 'A') + parts[2].substring(1);
    assertThat(one.use(flipped)).as("a changed MAC").isEmpty();
    assertThat(one.use("v2." + parts[1] + "." + parts[2])).as("another version").isEmpty();
    assertThatThrownBy(() -> new Sessions(clock, Duration.ofMinutes(1), Duration.ofHours(1),
        new byte[16])).hasMessageContaining("at least 32 bytes");
  }

  @Test
  void failedLoginsFromOneAddressWaitLongerAndLonger() {
    AttemptLimiter limiter = new AttemptLimiter(clock);
    for (int i = 0; i < AttemptLimiter.FREE_FAILURES; i++) {
      assertThat(limiter.wait("10.0.0.1")).isZero();
      limiter.failed("10.0.0.1");
    }
    assertThat(limiter.wait("10.0.0.1")).isEqualTo(Duration.ofSeconds(30));
    assertThat(limiter.wait("10.0.0.2")).as("another address").isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(limiter.wait("10.0.0.1")).isZero();
    limiter.failed("10.0.0.1");
    assertThat(limiter.wait("10.0.0.1")).isEqualTo(Duration.ofSeconds(60));
    for (int i = 0; i < 20; i++) {
      limiter.failed("10.0.0.1");
    }
    assertThat(limiter.wait("10.0.0.1")).isEqualTo(AttemptLimiter.MAX_LOCK);
    limiter.succeeded("10.0.0.1");
    assertThat(limiter.wait("10.0.0.1")).isZero();
  }
}
