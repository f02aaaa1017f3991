package dev.quern.master.http.metrics;

import static dev.quern.master.http.metrics.Families.counter;
import static dev.quern.master.http.metrics.Families.gauge;

import dev.quern.raft.node.LatencyHistogram;
import dev.quern.raft.node.RaftMetrics;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.node.RaftMetrics.Gauge;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Raft node's {@link RaftMetrics} as {@code quern_raft_*} families, read when scraped. Raft owns
 * the numbers (it imports nothing of Quern, nor the metrics library); this only names them.
 */
public final class RaftMetricsCollector implements MultiCollector {

  private final RaftMetrics metrics;

  public RaftMetricsCollector(RaftMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public MetricSnapshots collect() {
    return MetricSnapshots.of(
        counter("quern_raft_proposals", "Commands the leader accepted into its log.",
            metrics.get(Counter.PROPOSALS)),
        counter("quern_raft_proposals_refused",
            "Commands refused: this node does not lead, a leadership transfer is under way, the "
                + "command is too large, or too much is uncommitted.",
            metrics.get(Counter.PROPOSALS_REFUSED)),
        counter("quern_raft_entries_committed",
            "Entries this node learned are committed (how far its commit index moved).",
            metrics.get(Counter.ENTRIES_COMMITTED)),
        counter("quern_raft_entries_applied",
            "Entries applied to the state machine (commands, no-ops, membership changes).",
            metrics.get(Counter.ENTRIES_APPLIED)),
        counter("quern_raft_pre_vote_campaigns", "Pre-vote rounds started (asking whether an "
            + "election could be won, without raising the term).",
            metrics.get(Counter.PRE_VOTE_CAMPAIGNS)),
        counter("quern_raft_elections_started", "Elections started (term raised, voted for itself).",
            metrics.get(Counter.ELECTIONS_STARTED)),
        counter("quern_raft_elections_won", "Elections won.", metrics.get(Counter.ELECTIONS_WON)),
        counter("quern_raft_leader_changes", "Times this node learned of a new leader.",
            metrics.get(Counter.LEADER_CHANGES)),
        counter("quern_raft_snapshots",
            "Snapshots taken here, installed from a leader, and sent to followers (one per transfer).",
            "event", events(Counter.SNAPSHOTS_TAKEN, Counter.SNAPSHOTS_INSTALLED, Counter.SNAPSHOTS_SENT)),
        counter("quern_raft_snapshot_bytes",
            "Application bytes of the snapshots taken, installed and sent.", "event",
            events(Counter.SNAPSHOT_BYTES_TAKEN, Counter.SNAPSHOT_BYTES_INSTALLED,
                Counter.SNAPSHOT_BYTES_SENT)),
        histogram("quern_raft_fsync_duration_seconds", "Durations of the Raft log's fsyncs.",
            metrics.fsync()),
        histogram("quern_raft_append_latency_seconds",
            "On the leader: from a proposal accepted to its commit.", metrics.appendLatency()),
        gauge("quern_raft_term", "This node's current term.", metrics.get(Gauge.TERM)),
        gauge("quern_raft_commit_index", "The highest index this node knows committed.",
            metrics.get(Gauge.COMMIT_INDEX)),
        gauge("quern_raft_applied_index", "The highest index applied to the state machine.",
            metrics.get(Gauge.APPLIED_INDEX)),
        gauge("quern_raft_is_leader", "1 if this node leads, else 0.", metrics.get(Gauge.IS_LEADER)),
        gauge("quern_raft_has_leader", "1 if this node knows a leader, else 0.",
            metrics.get(Gauge.HAS_LEADER)),
        gauge("quern_raft_inflight_bytes",
            "On the leader: entry bytes sent to followers and not yet acknowledged.",
            metrics.get(Gauge.INFLIGHT_BYTES)));
  }

  /** taken, installed, sent. */
  private Map<String, Long> events(Counter taken, Counter installed, Counter sent) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("taken", metrics.get(taken));
    m.put("installed", metrics.get(installed));
    m.put("sent", metrics.get(sent));
    return m;
  }

  private static HistogramSnapshot histogram(String name, String help, LatencyHistogram h) {
    LatencyHistogram.Snapshot s = h.snapshot();
    long[] cumulative = s.cumulativeCounts();
    long[] counts = new long[cumulative.length + 1];
    long below = 0;
    for (int i = 0; i < cumulative.length; i++) {
      counts[i] = cumulative[i] - below;
      below = cumulative[i];
    }
    counts[cumulative.length] = s.count() - below;
    return Families.histogram(name, help,
        Families.histogram(Labels.EMPTY, s.bounds(), counts, s.sumSeconds()));
  }
}
