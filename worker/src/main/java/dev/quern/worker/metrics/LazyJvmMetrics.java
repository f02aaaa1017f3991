package dev.quern.worker.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The library's JVM metrics, set up at the first scrape rather than at start: they read the
 * JVM's management beans, which start JMX (some 350 classes and 0.1 s of CPU), and a local run
 * that serves the UI should not pay that unless someone asks for {@code /metrics}.
 *
 * <pre>{@code
 * registry.register(new LazyJvmMetrics());
 * }</pre>
 */
public final class LazyJvmMetrics implements MultiCollector {
  private volatile PrometheusRegistry jvm;

  @Override
  public MetricSnapshots collect() {
    PrometheusRegistry r = jvm;
    if (r == null) {
      synchronized (this) {
        if (jvm == null) {
          PrometheusRegistry made = new PrometheusRegistry();
          JvmMetrics.builder().register(made);
          jvm = made;
        }
        r = jvm;
      }
    }
    return r.scrape();
  }
}
