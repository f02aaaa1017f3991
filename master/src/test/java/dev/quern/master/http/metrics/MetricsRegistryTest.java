package dev.quern.master.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

  @Test
  void writesFamiliesWithEscapedLabelsAndHelp() {
    String text = new MetricsRegistry().register(w -> {
      w.family("quern_things", "gauge", "Things\\nwith a backslash \\ here.");
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("name", "a \"quoted\"\nvalue\\");
      labels.put("kind", "map");
      w.sample("quern_things", labels, 2.5);
      w.sample("quern_things", Map.of("kind", "reduce"), 3);
    }).scrape();
    assertThat(text).isEqualTo("""
        # HELP quern_things Things\\\\nwith a backslash \\\\ here.
        # TYPE quern_things gauge
        quern_things{name="a \\"quoted\\"\\nvalue\\\\",kind="map"} 2.5
        quern_things{kind="reduce"} 3
        """);
  }

  @Test
  void histogramBucketsAreCumulativeWithSumAndCount() {
    Histogram h = new Histogram(1, 0.5, 5);
    for (double v : new double[] {0.1, 0.5, 0.7, 3, 100}) {
      h.observe(v);
    }
    PrometheusWriter w = new PrometheusWriter();
    h.write(w, "d_seconds", Map.of("kind", "map"));
    assertThat(w.text()).isEqualTo("""
        d_seconds_bucket{kind="map",le="0.5"} 2
        d_seconds_bucket{kind="map",le="1"} 3
        d_seconds_bucket{kind="map",le="5"} 4
        d_seconds_bucket{kind="map",le="+Inf"} 5
        d_seconds_sum{kind="map"} 104.3
        d_seconds_count{kind="map"} 5
        """);
  }

  @Test
  void aFailingCollectorBecomesACommentAndTheOthersStillReport() {
    String text = new MetricsRegistry()
        .register(w -> {
          throw new IllegalStateException("engine gone");
        })
        .register(w -> w.gauge("up", "Always one.", 1))
        .scrape();
    assertThat(text).contains("# collector").contains("engine gone").contains("\nup 1\n");
  }

  @Test
  void badNamesAreRefused() {
    PrometheusWriter w = new PrometheusWriter();
    assertThatThrownBy(() -> w.family("9lives", "gauge", "x"))
        .hasMessageContaining("bad metric name '9lives'");
    assertThatThrownBy(() -> w.sample("ok", Map.of("bad-label", "v"), 1))
        .hasMessageContaining("bad label name 'bad-label' on ok");
  }

  @Test
  void jvmMetricsReportMemoryAndThreads() {
    String text = new MetricsRegistry().register(new JvmMetrics()).scrape();
    assertThat(text).containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\"\\} [1-9]\\d*$")
        .containsPattern("(?m)^jvm_threads_live [1-9]\\d*$");
  }
}
