package dev.quern.master.http.login;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bound on guessing: per client address, {@value #FREE_FAILURES} failed logins in a row are
 * free; after that the address must wait {@link #FIRST_LOCK}, doubling with each further failure
 * up to {@link #MAX_LOCK}, before its next attempt is even checked. A success clears the address;
 * an address that has not failed for {@link #FORGET} is forgotten.
 */
final class AttemptLimiter {
  static final int FREE_FAILURES = 5;
  static final Duration FIRST_LOCK = Duration.ofSeconds(30);
  static final Duration MAX_LOCK = Duration.ofMinutes(15);
  static final Duration FORGET = Duration.ofHours(1);

  private record Failures(int count, Instant last) {}

  private final Clock clock;
  private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

  AttemptLimiter(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code address} must still wait; zero when it may try now. */
  Duration wait(String address) {
    Failures f = byAddress.get(address);
    if (f == null || f.count() < FREE_FAILURES) {
      return Duration.ZERO;
    }
    Duration lock = FIRST_LOCK.multipliedBy(1L << Math.min(f.count() - FREE_FAILURES, 10));
    if (lock.compareTo(MAX_LOCK) > 0) {
      lock = MAX_LOCK;
    }
    Duration left = Duration.between(clock.instant(), f.last().plus(lock));
    return left.isNegative() ? Duration.ZERO : left;
  }

  void failed(String address) {
    Instant now = clock.instant();
    byAddress.values().removeIf(f -> f.last().plus(FORGET).isBefore(now));
    byAddress.merge(address, new Failures(1, now), (a, b) -> new Failures(a.count() + 1, now));
  }

  void succeeded(String address) {
    byAddress.remove(address);
  }
}
