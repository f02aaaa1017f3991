package dev.quern.master.http.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;
import java.util.Map;

/**
 * Short builders of the library's snapshots for the collectors that compute their samples at
 * scrape time from state someone else owns (the engine's views, a Raft node's counters).
 * A counter's name is given without {@code _total}: the library's writer adds it.
 */
final class Families {
  private Families() {}

  static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder().name(name).help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
  }

  /** One sample per entry, labelled {@code label=key}. */
  static GaugeSnapshot gauge(String name, String help, String label, Map<String, ? extends Number> values) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    values.forEach((k, v) -> b.dataPoint(GaugeDataPointSnapshot.builder()
        .labels(Labels.of(label, k)).value(v.doubleValue()).build()));
    return b.build();
  }

  static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder().name(name).help(help)
        .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
  }

  /** One sample per entry, labelled {@code label=key}. */
  static CounterSnapshot counter(String name, String help, String label,
      Map<String, ? extends Number> values) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    values.forEach((k, v) -> b.dataPoint(CounterDataPointSnapshot.builder()
        .labels(Labels.of(label, k)).value(v.doubleValue()).build()));
    return b.build();
  }

  /**
   * One histogram sample from counts per bucket (not cumulative): {@code counts[i]} values were
   * at most {@code bounds[i]} and above the bound before; {@code counts[bounds.length]} were above
   * the last bound.
   */
  static HistogramDataPointSnapshot histogram(Labels labels, double[] bounds, long[] counts,
      double sum) {
    double[] withInf = Arrays.copyOf(bounds, bounds.length + 1);
    withInf[bounds.length] = Double.POSITIVE_INFINITY;
    return HistogramDataPointSnapshot.builder().labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(withInf, counts)).sum(sum).build();
  }

  static HistogramSnapshot histogram(String name, String help,
      HistogramDataPointSnapshot... points) {
    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
    for (HistogramDataPointSnapshot p : points) {
      b.dataPoint(p);
    }
    return b.build();
  }
}
