package dev.quern.master.http.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cumulative histogram counts over fixed upper bounds, filled at scrape time and written as one
 * labelled series of a Prometheus histogram family.
 */
public final class Histogram {
  private final double[] bounds;
  private final long[] counts;
  private long count;
  private double sum;

  public Histogram(double... bounds) {
    this.bounds = bounds.clone();
    Arrays.sort(this.bounds);
    this.counts = new long[bounds.length];
  }

  public void observe(double value) {
    for (int i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        counts[i]++;
      }
    }
    count++;
    sum += value;
  }

  /** Writes {@code _bucket} (with {@code le}), {@code _sum} and {@code _count} samples. */
  public void write(PrometheusWriter out, String name, Map<String, String> labels) {
    for (int i = 0; i < bounds.length; i++) {
      out.sample(name + "_bucket", with(labels, PrometheusWriter.format(bounds[i])), counts[i]);
    }
    out.sample(name + "_bucket", with(labels, "+Inf"), count);
    out.sample(name + "_sum", labels, sum);
    out.sample(name + "_count", labels, count);
  }

  private static Map<String, String> with(Map<String, String> labels, String le) {
    Map<String, String> m = new LinkedHashMap<>(labels);
    m.put("le", le);
    return m;
  }
}
