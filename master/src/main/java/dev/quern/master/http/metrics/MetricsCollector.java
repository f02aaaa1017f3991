package dev.quern.master.http.metrics;

/** Writes one or more metric families when the registry is scraped. */
@FunctionalInterface
public interface MetricsCollector {
  void collect(PrometheusWriter out);
}
