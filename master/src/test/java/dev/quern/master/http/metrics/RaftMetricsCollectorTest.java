package dev.quern.master.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quern.raft.node.RaftMetrics;
import dev.quern.testkit.PromText;
import dev.quern.worker.metrics.MetricsText;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.node.RaftMetrics.Gauge;
import org.junit.jupiter.api.Test;

class RaftMetricsCollectorTest {

  @Test
  void writesEveryRaftMetricUnderQuernRaftNames() {
    RaftMetrics m = new RaftMetrics();
    m.add(Counter.PROPOSALS, 5);
    m.add(Counter.PROPOSALS_REFUSED, 2);
    m.add(Counter.ENTRIES_COMMITTED, 7);
    m.add(Counter.ENTRIES_APPLIED, 6);
    m.add(Counter.PRE_VOTE_CAMPAIGNS, 3);
    m.add(Counter.ELECTIONS_STARTED, 2);
    m.increment(Counter.ELECTIONS_WON);
    m.add(Counter.LEADER_CHANGES, 2);
    m.increment(Counter.SNAPSHOTS_TAKEN);
    m.add(Counter.SNAPSHOT_BYTES_TAKEN, 1000);
    m.increment(Counter.SNAPSHOTS_INSTALLED);
    m.add(Counter.SNAPSHOT_BYTES_INSTALLED, 2048);
    m.add(Counter.SNAPSHOTS_SENT, 2);
    m.add(Counter.SNAPSHOT_BYTES_SENT, 4096);
    // 50 us and exactly 100 us (a bound belongs to its bucket), 3 ms, and 20 s (past the last bound).
    m.fsync().recordNanos(50_000);
    m.fsync().recordNanos(100_000);
    m.fsync().recordNanos(3_000_000);
    m.fsync().recordNanos(20_000_000_000L);
    m.appendLatency().recordNanos(1_000_000);
    m.appendLatency().recordNanos(300_000_000);
    m.set(Gauge.TERM, 4);
    m.set(Gauge.COMMIT_INDEX, 7);
    m.set(Gauge.APPLIED_INDEX, 6);
    m.set(Gauge.IS_LEADER, 1);
    m.set(Gauge.HAS_LEADER, 1);
    m.set(Gauge.INFLIGHT_BYTES, 1234);

    PromText text = scrape(m);

    Map<String, Double> counters = new LinkedHashMap<>();
    counters.put("quern_raft_proposals_total", 5.0);
    counters.put("quern_raft_proposals_refused_total", 2.0);
    counters.put("quern_raft_entries_committed_total", 7.0);
    counters.put("quern_raft_entries_applied_total", 6.0);
    counters.put("quern_raft_pre_vote_campaigns_total", 3.0);
    counters.put("quern_raft_elections_started_total", 2.0);
    counters.put("quern_raft_elections_won_total", 1.0);
    counters.put("quern_raft_leader_changes_total", 2.0);
    counters.forEach((name, v) -> {
      assertThat(text.type(name)).as(name).isEqualTo("counter");
      assertThat(text.value(name)).as(name).isEqualTo(v);
    });
    assertThat(text.type("quern_raft_snapshots_total")).isEqualTo("counter");
    assertThat(text.value("quern_raft_snapshots_total", Map.of("event", "taken"))).isEqualTo(1);
    assertThat(text.value("quern_raft_snapshots_total", Map.of("event", "installed"))).isEqualTo(1);
    assertThat(text.value("quern_raft_snapshots_total", Map.of("event", "sent"))).isEqualTo(2);
    assertThat(text.value("quern_raft_snapshot_bytes_total", Map.of("event", "taken")))
        .isEqualTo(1000);
    assertThat(text.value("quern_raft_snapshot_bytes_total", Map.of("event", "installed")))
        .isEqualTo(2048);
    assertThat(text.value("quern_raft_snapshot_bytes_total", Map.of("event", "sent")))
        .isEqualTo(4096);

    assertThat(text.type("quern_raft_fsync_duration_seconds")).isEqualTo("histogram");
    // Cumulative counts at each bound (le as the library writes it, read as a number).
    assertThat(buckets(text, "quern_raft_fsync_duration_seconds")).containsExactly(
        Map.entry(0.0001, 2.0), Map.entry(0.00025, 2.0), Map.entry(0.0005, 2.0),
        Map.entry(0.001, 2.0), Map.entry(0.0025, 2.0), Map.entry(0.005, 3.0),
        Map.entry(0.01, 3.0), Map.entry(0.025, 3.0), Map.entry(0.05, 3.0), Map.entry(0.1, 3.0),
        Map.entry(0.25, 3.0), Map.entry(0.5, 3.0), Map.entry(1.0, 3.0), Map.entry(2.5, 3.0),
        Map.entry(5.0, 3.0), Map.entry(10.0, 3.0), Map.entry(Double.POSITIVE_INFINITY, 4.0));
    assertThat(text.value("quern_raft_fsync_duration_seconds_sum")).isCloseTo(20.00315, within(1e-9));
    assertThat(text.value("quern_raft_fsync_duration_seconds_count")).isEqualTo(4);
    assertThat(buckets(text, "quern_raft_append_latency_seconds")).containsExactly(
        Map.entry(0.0001, 0.0), Map.entry(0.00025, 0.0), Map.entry(0.0005, 0.0),
        Map.entry(0.001, 1.0), Map.entry(0.0025, 1.0), Map.entry(0.005, 1.0),
        Map.entry(0.01, 1.0), Map.entry(0.025, 1.0), Map.entry(0.05, 1.0), Map.entry(0.1, 1.0),
        Map.entry(0.25, 1.0), Map.entry(0.5, 2.0), Map.entry(1.0, 2.0), Map.entry(2.5, 2.0),
        Map.entry(5.0, 2.0), Map.entry(10.0, 2.0), Map.entry(Double.POSITIVE_INFINITY, 2.0));
    assertThat(text.value("quern_raft_append_latency_seconds_sum")).isCloseTo(0.301, within(1e-9));
    assertThat(text.value("quern_raft_append_latency_seconds_count")).isEqualTo(2);

    Map<String, Double> gauges = new LinkedHashMap<>();
    gauges.put("quern_raft_term", 4.0);
    gauges.put("quern_raft_commit_index", 7.0);
    gauges.put("quern_raft_applied_index", 6.0);
    gauges.put("quern_raft_is_leader", 1.0);
    gauges.put("quern_raft_has_leader", 1.0);
    gauges.put("quern_raft_inflight_bytes", 1234.0);
    gauges.forEach((name, v) -> {
      assertThat(text.type(name)).as(name).isEqualTo("gauge");
      assertThat(text.value(name)).as(name).isEqualTo(v);
    });
    // Nothing else: 10 counter families, 2 histograms, 6 gauges.
    assertThat(text.samples().stream().map(PromText.Sample::name).distinct().count())
        .isEqualTo(10 + 2 * 3 + 6);
  }

  @Test
  void aFreshNodeReportsZeroesNotGaps() {
    PromText text = scrape(new RaftMetrics());
    assertThat(text.value("quern_raft_fsync_duration_seconds_bucket", Map.of("le", "+Inf"))).isZero();
    assertThat(text.value("quern_raft_fsync_duration_seconds_sum")).isZero();
    assertThat(text.value("quern_raft_elections_won_total")).isZero();
    assertThat(text.value("quern_raft_snapshots_total", Map.of("event", "sent"))).isZero();
    // Every sample is a quern_raft_ family: nothing else leaks in.
    assertThat(text.samples()).allMatch(s -> s.name().startsWith("quern_raft_"));
  }

  /** Through the library's registry and text writer, read back by the strict test parser. */
  private static PromText scrape(RaftMetrics m) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new RaftMetricsCollector(m));
    return PromText.parse(new String(MetricsText.scrape(registry), StandardCharsets.UTF_8));
  }

  /** Upper bound to cumulative count, in the order written. */
  private static List<Map.Entry<Double, Double>> buckets(PromText text, String family) {
    return text.samples().stream().filter(s -> s.name().equals(family + "_bucket"))
        .map(s -> Map.entry(s.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
            : Double.parseDouble(s.labels().get("le")), s.value()))
        .toList();
  }
}
