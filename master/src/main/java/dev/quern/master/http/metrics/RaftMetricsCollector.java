package dev.quern.master.http.metrics;

import dev.quern.raft.node.LatencyHistogram;
import dev.quern.raft.node.RaftMetrics;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.node.RaftMetrics.Gauge;
import java.math.BigDecimal;
import java.util.Map;

/**
 * One Raft node's {@link RaftMetrics} as {@code quern_raft_*} families, read when scraped. Raft owns
 * the numbers (it imports nothing of Quern); this only names and writes them.
 */
public final class RaftMetricsCollector implements MetricsCollector {

  private final RaftMetrics metrics;

  public RaftMetricsCollector(RaftMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void collect(PrometheusWriter out) {
    counter(out, "quern_raft_proposals_total", "Commands the leader accepted into its log.",
        Counter.PROPOSALS);
    counter(out, "quern_raft_proposals_refused_total",
        "Commands refused: this node does not lead, a leadership transfer is under way, the command is"
            + " too large, or too much is uncommitted.",
        Counter.PROPOSALS_REFUSED);
    counter(out, "quern_raft_entries_committed_total",
        "Entries this node learned are committed (how far its commit index moved).", Counter.ENTRIES_COMMITTED);
    counter(out, "quern_raft_entries_applied_total",
        "Entries applied to the state machine (commands, no-ops, membership changes).", Counter.ENTRIES_APPLIED);
    counter(out, "quern_raft_pre_vote_campaigns_total",
        "Pre-vote rounds started (asking whether an election could be won, without raising the term).",
        Counter.PRE_VOTE_CAMPAIGNS);
    counter(out, "quern_raft_elections_started_total", "Elections started (term raised, voted for itself).",
        Counter.ELECTIONS_STARTED);
    counter(out, "quern_raft_elections_won_total", "Elections won.", Counter.ELECTIONS_WON);
    counter(out, "quern_raft_leader_changes_total", "Times this node learned of a new leader.",
        Counter.LEADER_CHANGES);

    out.family("quern_raft_snapshots_total", "counter",
        "Snapshots taken here, installed from a leader, and sent to followers (one per transfer).");
    out.sample("quern_raft_snapshots_total", Map.of("event", "taken"), metrics.get(Counter.SNAPSHOTS_TAKEN));
    out.sample("quern_raft_snapshots_total", Map.of("event", "installed"), metrics.get(Counter.SNAPSHOTS_INSTALLED));
    out.sample("quern_raft_snapshots_total", Map.of("event", "sent"), metrics.get(Counter.SNAPSHOTS_SENT));
    out.family("quern_raft_snapshot_bytes_total", "counter",
        "Application bytes of the snapshots taken, installed and sent.");
    out.sample("quern_raft_snapshot_bytes_total", Map.of("event", "taken"),
        metrics.get(Counter.SNAPSHOT_BYTES_TAKEN));
    out.sample("quern_raft_snapshot_bytes_total", Map.of("event", "installed"),
        metrics.get(Counter.SNAPSHOT_BYTES_INSTALLED));
    out.sample("quern_raft_snapshot_bytes_total", Map.of("event", "sent"), metrics.get(Counter.SNAPSHOT_BYTES_SENT));

    histogram(out, "quern_raft_fsync_duration_seconds", "Durations of the Raft log's fsyncs.", metrics.fsync());
    histogram(out, "quern_raft_append_latency_seconds",
        "On the leader: from a proposal accepted to its commit.", metrics.appendLatency());

    out.gauge("quern_raft_term", "This node's current term.", metrics.get(Gauge.TERM));
    out.gauge("quern_raft_commit_index", "The highest index this node knows committed.",
        metrics.get(Gauge.COMMIT_INDEX));
    out.gauge("quern_raft_applied_index", "The highest index applied to the state machine.",
        metrics.get(Gauge.APPLIED_INDEX));
    out.gauge("quern_raft_is_leader", "1 if this node leads, else 0.", metrics.get(Gauge.IS_LEADER));
    out.gauge("quern_raft_has_leader", "1 if this node knows a leader, else 0.", metrics.get(Gauge.HAS_LEADER));
    out.gauge("quern_raft_inflight_bytes", "On the leader: entry bytes sent to followers and not yet acknowledged.",
        metrics.get(Gauge.INFLIGHT_BYTES));
  }

  private void counter(PrometheusWriter out, String name, String help, Counter c) {
    out.family(name, "counter", help).sample(name, metrics.get(c));
  }

  private static void histogram(PrometheusWriter out, String name, String help, LatencyHistogram h) {
    LatencyHistogram.Snapshot s = h.snapshot();
    out.family(name, "histogram", help);
    for (int i = 0; i < s.bounds().length; i++) {
      // Plain decimals (0.0001, not 1.0E-4) so that le values read the same as the bounds were written.
      String le = BigDecimal.valueOf(s.bounds()[i]).stripTrailingZeros().toPlainString();
      out.sample(name + "_bucket", Map.of("le", le), s.cumulativeCounts()[i]);
    }
    out.sample(name + "_bucket", Map.of("le", "+Inf"), s.count());
    out.sample(name + "_sum", s.sumSeconds());
    out.sample(name + "_count", s.count());
  }
}
