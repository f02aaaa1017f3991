package dev.quern.master.http.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The master's one metrics registry, written out in the Prometheus text format (version 0.0.4) at
 * {@code GET /metrics}. Metrics are collectors that compute their samples when scraped, from the
 * state they describe, so nothing here keeps a second copy of the engine's state.
 *
 * <pre>{@code
 * registry.register(w -> w.gauge("quern_workers", "Registered workers.", workers.size()));
 * String text = registry.scrape();
 * }</pre>
 */
public final class MetricsRegistry {
  private final List<MetricsCollector> collectors = new CopyOnWriteArrayList<>();

  public MetricsRegistry register(MetricsCollector collector) {
    collectors.add(collector);
    return this;
  }

  /** Every collector's samples; one that throws is reported as a comment, not a failed scrape. */
  public String scrape() {
    PrometheusWriter w = new PrometheusWriter();
    for (MetricsCollector c : collectors) {
      try {
        c.collect(w);
      } catch (RuntimeException e) {
        w.comment("collector " + c.getClass().getName() + " failed: " + e);
      }
    }
    return w.text();
  }
}
