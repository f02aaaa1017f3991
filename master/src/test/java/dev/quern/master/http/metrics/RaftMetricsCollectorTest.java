package dev.quern.master.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.node.RaftMetrics;
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

    String text = new MetricsRegistry().register(new RaftMetricsCollector(m)).scrape();

    assertThat(text).isEqualTo("""
        # HELP quern_raft_proposals_total Commands the leader accepted into its log.
        # TYPE quern_raft_proposals_total counter
        quern_raft_proposals_total 5
        # HELP quern_raft_proposals_refused_total Commands refused: this node does not lead, a leadership transfer is under way, the command is too large, or too much is uncommitted.
        # TYPE quern_raft_proposals_refused_total counter
        quern_raft_proposals_refused_total 2
        # HELP quern_raft_entries_committed_total Entries this node learned are committed (how far its commit index moved).
        # TYPE quern_raft_entries_committed_total counter
        quern_raft_entries_committed_total 7
        # HELP quern_raft_entries_applied_total Entries applied to the state machine (commands, no-ops, membership changes).
        # TYPE quern_raft_entries_applied_total counter
        quern_raft_entries_applied_total 6
        # HELP quern_raft_pre_vote_campaigns_total Pre-vote rounds started (asking whether an election could be won, without raising the term).
        # TYPE quern_raft_pre_vote_campaigns_total counter
        quern_raft_pre_vote_campaigns_total 3
        # HELP quern_raft_elections_started_total Elections started (term raised, voted for itself).
        # TYPE quern_raft_elections_started_total counter
        quern_raft_elections_started_total 2
        # HELP quern_raft_elections_won_total Elections won.
        # TYPE quern_raft_elections_won_total counter
        quern_raft_elections_won_total 1
        # HELP quern_raft_leader_changes_total Times this node learned of a new leader.
        # TYPE quern_raft_leader_changes_total counter
        quern_raft_leader_changes_total 2
        # HELP quern_raft_snapshots_total Snapshots taken here, installed from a leader, and sent to followers (one per transfer).
        # TYPE quern_raft_snapshots_total counter
        quern_raft_snapshots_total{event="taken"} 1
        quern_raft_snapshots_total{event="installed"} 1
        quern_raft_snapshots_total{event="sent"} 2
        # HELP quern_raft_snapshot_bytes_total Application bytes of the snapshots taken, installed and sent.
        # TYPE quern_raft_snapshot_bytes_total counter
        quern_raft_snapshot_bytes_total{event="taken"} 1000
        quern_raft_snapshot_bytes_total{event="installed"} 2048
        quern_raft_snapshot_bytes_total{event="sent"} 4096
        # HELP quern_raft_fsync_duration_seconds Durations of the Raft log's fsyncs.
        # TYPE quern_raft_fsync_duration_seconds histogram
        quern_raft_fsync_duration_seconds_bucket{le="0.0001"} 2
        quern_raft_fsync_duration_seconds_bucket{le="0.00025"} 2
        quern_raft_fsync_duration_seconds_bucket{le="0.0005"} 2
        quern_raft_fsync_duration_seconds_bucket{le="0.001"} 2
        quern_raft_fsync_duration_seconds_bucket{le="0.0025"} 2
        quern_raft_fsync_duration_seconds_bucket{le="0.005"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.01"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.025"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.05"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.1"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.25"} 3
        quern_raft_fsync_duration_seconds_bucket{le="0.5"} 3
        quern_raft_fsync_duration_seconds_bucket{le="1"} 3
        quern_raft_fsync_duration_seconds_bucket{le="2.5"} 3
        quern_raft_fsync_duration_seconds_bucket{le="5"} 3
        quern_raft_fsync_duration_seconds_bucket{le="10"} 3
        quern_raft_fsync_duration_seconds_bucket{le="+Inf"} 4
        quern_raft_fsync_duration_seconds_sum 20.00315
        quern_raft_fsync_duration_seconds_count 4
        # HELP quern_raft_append_latency_seconds On the leader: from a proposal accepted to its commit.
        # TYPE quern_raft_append_latency_seconds histogram
        quern_raft_append_latency_seconds_bucket{le="0.0001"} 0
        quern_raft_append_latency_seconds_bucket{le="0.00025"} 0
        quern_raft_append_latency_seconds_bucket{le="0.0005"} 0
        quern_raft_append_latency_seconds_bucket{le="0.001"} 1
        quern_raft_append_latency_seconds_bucket{le="0.0025"} 1
        quern_raft_append_latency_seconds_bucket{le="0.005"} 1
        quern_raft_append_latency_seconds_bucket{le="0.01"} 1
        quern_raft_append_latency_seconds_bucket{le="0.025"} 1
        quern_raft_append_latency_seconds_bucket{le="0.05"} 1
        quern_raft_append_latency_seconds_bucket{le="0.1"} 1
        quern_raft_append_latency_seconds_bucket{le="0.25"} 1
        quern_raft_append_latency_seconds_bucket{le="0.5"} 2
        quern_raft_append_latency_seconds_bucket{le="1"} 2
        quern_raft_append_latency_seconds_bucket{le="2.5"} 2
        quern_raft_append_latency_seconds_bucket{le="5"} 2
        quern_raft_append_latency_seconds_bucket{le="10"} 2
        quern_raft_append_latency_seconds_bucket{le="+Inf"} 2
        quern_raft_append_latency_seconds_sum 0.301
        quern_raft_append_latency_seconds_count 2
        # HELP quern_raft_term This node's current term.
        # TYPE quern_raft_term gauge
        quern_raft_term 4
        # HELP quern_raft_commit_index The highest index this node knows committed.
        # TYPE quern_raft_commit_index gauge
        quern_raft_commit_index 7
        # HELP quern_raft_applied_index The highest index applied to the state machine.
        # TYPE quern_raft_applied_index gauge
        quern_raft_applied_index 6
        # HELP quern_raft_is_leader 1 if this node leads, else 0.
        # TYPE quern_raft_is_leader gauge
        quern_raft_is_leader 1
        # HELP quern_raft_has_leader 1 if this node knows a leader, else 0.
        # TYPE quern_raft_has_leader gauge
        quern_raft_has_leader 1
        # HELP quern_raft_inflight_bytes On the leader: entry bytes sent to followers and not yet acknowledged.
        # TYPE quern_raft_inflight_bytes gauge
        quern_raft_inflight_bytes 1234
        """);
  }

  @Test
  void aFreshNodeReportsZeroesNotGaps() {
    String text = new MetricsRegistry().register(new RaftMetricsCollector(new RaftMetrics())).scrape();
    assertThat(text).contains("\nquern_raft_fsync_duration_seconds_bucket{le=\"+Inf\"} 0\n")
        .contains("\nquern_raft_fsync_duration_seconds_sum 0\n")
        .contains("\nquern_raft_elections_won_total 0\n")
        .contains("\nquern_raft_snapshots_total{event=\"sent\"} 0\n");
    // Every sample line is a quern_raft_ family: nothing else leaks in.
    assertThat(text.lines().filter(l -> !l.startsWith("#"))).allMatch(l -> l.startsWith("quern_raft_"));
  }
}
