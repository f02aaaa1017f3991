package dev.quern.raft.kvdemo;

import dev.quern.raft.node.LatencyHistogram;
import java.util.Locale;

/**
 * A {@link LatencyHistogram.Snapshot} as one token of the endpoint's {@code METRICS} answer
 * ({@code count/sumSeconds/c0,c1,...}: cumulative counts at {@link #BOUNDS}, or at the node's
 * {@link LatencyHistogram#DEFAULT_BOUNDS} for the node's own histograms) and back, and the
 * difference of two (a phase's share). Bounds are not sent: both sides know which histogram is which.
 */
record Breakdown(double[] bounds, long[] cumulative, long count, double sumSeconds) {

  /** Fine enough around the 10 ms target to say how many of a phase's durations passed it. */
  static final double[] BOUNDS = {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05,
      0.1, 0.25, 1};

  static Breakdown of(LatencyHistogram.Snapshot s) {
    return new Breakdown(s.bounds(), s.cumulativeCounts(), s.count(), s.sumSeconds());
  }

  String encode() {
    StringBuilder sb = new StringBuilder().append(count).append('/')
        .append(String.format(Locale.ROOT, "%.6f", sumSeconds)).append('/');
    for (int i = 0; i < cumulative.length; i++) {
      sb.append(i == 0 ? "" : ",").append(cumulative[i]);
    }
    return sb.toString();
  }

  static Breakdown decode(String token, double[] bounds) {
    String[] parts = token.split("/");
    String[] counts = parts[2].split(",");
    if (counts.length != bounds.length) {
      throw new IllegalArgumentException("expected " + bounds.length + " buckets in '" + token + "'");
    }
    long[] cumulative = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      cumulative[i] = Long.parseLong(counts[i]);
    }
    return new Breakdown(bounds, cumulative, Long.parseLong(parts[0]), Double.parseDouble(parts[1]));
  }

  /** What was recorded between {@code earlier} and this. */
  Breakdown minus(Breakdown earlier) {
    long[] c = new long[cumulative.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = cumulative[i] - earlier.cumulative[i];
    }
    return new Breakdown(bounds, c, count - earlier.count, sumSeconds - earlier.sumSeconds);
  }

  /** How many durations exceeded {@code seconds} (which must be one of the bounds). */
  long over(double seconds) {
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] == seconds) {
        return count - cumulative[i];
      }
    }
    throw new IllegalArgumentException(seconds + " s is not a bound of " + java.util.Arrays.toString(bounds));
  }

  /** The smallest bound at or under which at least {@code q} of the durations fall ("p99 <= x ms"). */
  String quantileBound(double q) {
    if (count == 0) {
      return "-";
    }
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= Math.ceil(q * count)) {
        return "<=" + fmtMs(bounds[i]);
      }
    }
    return ">" + fmtMs(bounds[bounds.length - 1]);
  }

  /** e.g. {@code 30000 mean 1.21 ms p50 <=2 p99 <=7.5 >10ms 12}. */
  String summary() {
    return String.format(Locale.ROOT, "n %d, mean %.2f ms, p50 %s, p99 %s, max %s", count,
        count == 0 ? 0 : sumSeconds * 1e3 / count, quantileBound(0.5), quantileBound(0.99), maxBound());
  }

  private String maxBound() {
    if (count == 0) {
      return "-";
    }
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] == count) {
        return "<=" + fmtMs(bounds[i]);
      }
    }
    return ">" + fmtMs(bounds[bounds.length - 1]);
  }

  private static String fmtMs(double seconds) {
    double ms = seconds * 1e3;
    return (ms == Math.rint(ms) ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.2g", ms)) + " ms";
  }
}
