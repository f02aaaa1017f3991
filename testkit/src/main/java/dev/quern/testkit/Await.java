package dev.quern.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on a condition with a bound, never a bare sleep: the wait ends as soon as the condition
 * holds, and fails with what was awaited once the bound has passed.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(30), "the job to succeed",
 *     () -> cluster.status(id).state() == JobState.SUCCEEDED);
 * }</pre>
 */
public final class Await {

  private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

  private Await() {}

  /** Polls {@code condition} until it holds; throws an {@link AssertionError} after {@code bound}. */
  public static void until(Duration bound, String what, BooleanSupplier condition) {
    until(bound, () -> "timed out after " + bound + " waiting for " + what, condition);
  }

  /** As {@link #until(Duration, String, BooleanSupplier)}, with a message made when it fails. */
  public static void until(Duration bound, Supplier<String> failure, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(failure.get());
      }
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting: " + failure.get());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Polls {@code value} until it is non-null and returns it; fails after {@code bound}. */
  public static <T> T value(Duration bound, String what, Supplier<T> value) {
    Object[] seen = new Object[1];
    until(bound, what, () -> (seen[0] = value.get()) != null);
    @SuppressWarnings("unchecked")
    T t = (T) seen[0];
    return t;
  }
}
