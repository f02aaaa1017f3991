package dev.quern.master.http.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Session ids, expiry on the idle and the absolute timeout (a virtual clock), and logout. */
class SessionsTest {
  final StepClock clock = new StepClock(Instant.parse("2026-01-01T00:00:00Z"));
  final Sessions sessions = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(2));

  @Test
  void idsAre256RandomBitsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String id = sessions.create("alice");
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(32);
      ids.add(id);
    }
    assertThat(ids).hasSize(200);
  }

  @Test
  void aSessionUnusedForTheIdleTimeoutEnds() {
    String id = sessions.create("alice");
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.use(id)).get().extracting(Sessions.Session::user).isEqualTo("alice");
    clock.advance(Duration.ofMinutes(29)); // 58 min after login, 29 after the last use
    assertThat(sessions.use(id)).isPresent();
    clock.advance(Duration.ofMinutes(30));
    assertThat(sessions.use(id)).as("30 min idle").isEmpty();
    clock.advance(Duration.ofMinutes(-30));
    assertThat(sessions.use(id)).as("gone for good once expired").isEmpty();
  }

  @Test
  void aSessionEndsAtItsMaxAgeThoughUsed() {
    String id = sessions.create("alice");
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofMinutes(17));
      assertThat(sessions.use(id)).as("after %d min", 17 * (i + 1)).isPresent();
    }
    clock.advance(Duration.ofMinutes(1)); // 2 h exactly
    assertThat(sessions.use(id)).as("at the absolute timeout").isEmpty();
  }

  @Test
  void logoutEndsOneSessionOnly() {
    String a = sessions.create("alice");
    String b = sessions.create("alice");
    assertThat(sessions.end(a)).isTrue();
    assertThat(sessions.end(a)).isFalse();
    assertThat(sessions.use(a)).isEmpty();
    assertThat(sessions.use(b)).isPresent();
    assertThat(sessions.use(null)).isEmpty();
    assertThat(sessions.use("not-a-session")).isEmpty();
  }

  @Test
  void expiredSessionsAreDroppedAtTheNextLogin() {
    sessions.create("alice");
    sessions.create("bob");
    clock.advance(Duration.ofHours(3));
    sessions.create("carol");
    assertThat(sessions.size()).isEqualTo(1);
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
