package dev.quern.raft.node;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters, gauges and latency histograms of one Raft node, owned by raft and filled by its driver
 * ({@link RaftNodeActor}); anyone may read them from any thread (a metrics endpoint, a test). Raft
 * knows nothing of where they are exported: the master's Prometheus collector reads them.
 * Counters only grow for the life of this object, across restarts of the node's actor.
 */
public final class RaftMetrics {

  /** Monotonic counts. */
  public enum Counter {
    /** Commands a leader accepted into its log. */
    PROPOSALS,
    /** Commands refused (not the leader, a transfer under way, too large, or too much uncommitted). */
    PROPOSALS_REFUSED,
    /** How far this node's commit index moved (entries it learned are committed). */
    ENTRIES_COMMITTED,
    /** Entries handed to the state machine (commands, no-ops and membership changes). */
    ENTRIES_APPLIED,
    /** Pre-vote rounds: "could I win?", without raising the term. */
    PRE_VOTE_CAMPAIGNS,
    /** Real elections: the term raised and a vote for itself. */
    ELECTIONS_STARTED,
    ELECTIONS_WON,
    /** Times this node learned of a new leader (a different node, or the same one after a gap). */
    LEADER_CHANGES,
    SNAPSHOTS_TAKEN,
    SNAPSHOT_BYTES_TAKEN,
    /** Snapshots received from a leader and installed. */
    SNAPSHOTS_INSTALLED,
    SNAPSHOT_BYTES_INSTALLED,
    /** Snapshot transfers this node started as leader (one per transfer, whatever the chunks). */
    SNAPSHOTS_SENT,
    SNAPSHOT_BYTES_SENT
  }

  /** Values of now, set each time the node publishes its status. */
  public enum Gauge {
    TERM,
    COMMIT_INDEX,
    APPLIED_INDEX,
    /** 1 if this node leads, else 0. */
    IS_LEADER,
    /** 1 if this node knows a leader (itself included), else 0. */
    HAS_LEADER,
    /** Leader only: entry bytes sent to followers and not acknowledged ({@link dev.quern.raft.RaftStatus#inflightBytes()}). */
    INFLIGHT_BYTES
  }

  private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
  private final Map<Gauge, AtomicLong> gauges = new EnumMap<>(Gauge.class);
  private final LatencyHistogram fsync = new LatencyHistogram();
  private final LatencyHistogram appendLatency = new LatencyHistogram();

  public RaftMetrics() {
    for (Counter c : Counter.values()) {
      counters.put(c, new LongAdder());
    }
    for (Gauge g : Gauge.values()) {
      gauges.put(g, new AtomicLong());
    }
  }

  public void add(Counter counter, long n) {
    counters.get(counter).add(n);
  }

  public void increment(Counter counter) {
    counters.get(counter).increment();
  }

  public long get(Counter counter) {
    return counters.get(counter).sum();
  }

  public void set(Gauge gauge, long value) {
    gauges.get(gauge).set(value);
  }

  public long get(Gauge gauge) {
    return gauges.get(gauge).get();
  }

  /** Durations of {@link RaftPersistence#sync()} calls that returned (a failed sync is fatal anyway). */
  public LatencyHistogram fsync() {
    return fsync;
  }

  /**
   * On the leader: from a command's proposal being accepted to the first Ready that shows it committed
   * (so it includes the leader's own fsync, the followers' round trips and fsyncs, and the batching).
   */
  public LatencyHistogram appendLatency() {
    return appendLatency;
  }
}
