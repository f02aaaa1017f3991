package dev.quern.master.local;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.BooleanSupplier;

/**
 * A clock that stands still until the test moves it: the master's time, driven by the test. Every
 * read and move holds the clock's lock, so a move made under a condition ({@link #advanceUnless})
 * is atomic with respect to the master's reads.
 */
final class ManualClock extends Clock {
  private long millis;
  /** Whether anyone read the time since the last move: a move nobody has seen needs no other. */
  private boolean readSinceMove = true;

  ManualClock(long startMillis) {
    this.millis = startMillis;
  }

  /**
   * Moves the clock on by {@code step} unless {@code done} holds, with no read of the clock in
   * between; returns whether {@code done} held. No move while the last one is unread.
   */
  synchronized boolean advanceUnless(BooleanSupplier done, long step) {
    if (done.getAsBoolean()) {
      return true;
    }
    if (readSinceMove) {
      millis += step;
      readSinceMove = false;
    }
    return false;
  }

  @Override
  public synchronized long millis() {
    readSinceMove = true;
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the master reads only millis");
  }
}
