package dev.quern.raft.node;

import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, safe to record from one thread and read from any other.
 * Bounds are upper bounds in seconds (a duration equal to a bound counts in that bucket, as in
 * Prometheus' {@code le}); a last, open bucket takes the rest.
 */
public final class LatencyHistogram {

  /** 100 us to 10 s: from an NVMe fsync to a disk or a majority that is barely there. */
  public static final double[] DEFAULT_BOUNDS =
      {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final double[] bounds;
  private final long[] boundNanos;
  /** One per bound, plus the open bucket; not cumulative. */
  private final LongAdder[] buckets;
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    this(DEFAULT_BOUNDS);
  }

  public LatencyHistogram(double... boundsSeconds) {
    bounds = boundsSeconds.clone();
    boundNanos = new long[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      if (i > 0 && bounds[i] <= bounds[i - 1]) {
        throw new IllegalArgumentException("bounds must increase");
      }
      boundNanos[i] = Math.round(bounds[i] * 1e9);
    }
    buckets = new LongAdder[bounds.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  public void recordNanos(long nanos) {
    int i = 0;
    while (i < boundNanos.length && nanos > boundNanos[i]) {
      i++;
    }
    buckets[i].increment();
    sumNanos.add(nanos);
  }

  /**
   * The counts now. Recording may run meanwhile, so {@code sumSeconds} can be a little ahead of or
   * behind the counts; the count is always the last cumulative count, as Prometheus requires.
   */
  public Snapshot snapshot() {
    long[] cumulative = new long[bounds.length];
    long running = 0;
    for (int i = 0; i < bounds.length; i++) {
      running += buckets[i].sum();
      cumulative[i] = running;
    }
    running += buckets[bounds.length].sum();
    return new Snapshot(bounds.clone(), cumulative, running, sumNanos.sum() / 1e9);
  }

  /**
   * @param bounds           upper bounds in seconds
   * @param cumulativeCounts durations at or below each bound
   * @param count            all durations
   * @param sumSeconds       their sum
   */
  public record Snapshot(double[] bounds, long[] cumulativeCounts, long count, double sumSeconds) {
  }
}
