package dev.quern.raft;

/**
 * Tunables of one Raft node. Time is counted in ticks; the driver decides how long a tick is.
 *
 * @param id                   this node's id, a positive long
 * @param electionTicks        base election timeout; the real one is random in [electionTicks, 2*electionTicks)
 * @param heartbeatTicks       how often a leader sends heartbeats; must be well below electionTicks
 * @param preVote              probe with pre-votes before raising the term, so a node that was cut off
 *                             does not depose a healthy leader when it returns
 * @param checkQuorum          a leader steps down if it has not heard from a majority within an election
 *                             timeout, and followers that hear from a leader ignore votes (leader lease)
 * @param maxEntriesPerMessage at most this many entries in one AppendEntries
 * @param maxBytesPerMessage   about this many entry bytes in one AppendEntries (at least one entry is sent)
 * @param maxInflight          appends in flight per follower in replicate state (the pipelining window)
 * @param snapshotChunkBytes   size of one InstallSnapshot chunk
 * @param compactionMargin     entries kept below a new snapshot, so slightly lagging followers still
 *                             catch up from the log instead of needing the snapshot
 * @param autoPromoteLearners  the leader promotes a learner to voter once it has caught up
 */
public record RaftConfig(long id, int electionTicks, int heartbeatTicks, boolean preVote, boolean checkQuorum,
             int maxEntriesPerMessage, int maxBytesPerMessage, int maxInflight,
             int snapshotChunkBytes, int compactionMargin, boolean autoPromoteLearners) {

  public RaftConfig {
    if (id <= 0) {
      throw new IllegalArgumentException("node id must be positive: " + id);
    }
    if (heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
      throw new IllegalArgumentException("need 0 < heartbeatTicks < electionTicks");
    }
    if (maxEntriesPerMessage <= 0 || maxInflight <= 0 || snapshotChunkBytes <= 0 || compactionMargin < 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** Defaults: election 10 ticks, heartbeat 1 tick, pre-vote and check-quorum on. */
  public static RaftConfig defaults(long id) {
    return new RaftConfig(id, 10, 1, true, true, 64, 1 << 20, 16, 64 * 1024, 0, true);
  }

  public RaftConfig withPreVote(boolean on) {
    return new RaftConfig(id, electionTicks, heartbeatTicks, on, checkQuorum, maxEntriesPerMessage,
        maxBytesPerMessage, maxInflight, snapshotChunkBytes, compactionMargin, autoPromoteLearners);
  }

  public RaftConfig withCheckQuorum(boolean on) {
    return new RaftConfig(id, electionTicks, heartbeatTicks, preVote, on, maxEntriesPerMessage,
        maxBytesPerMessage, maxInflight, snapshotChunkBytes, compactionMargin, autoPromoteLearners);
  }

  public RaftConfig withLimits(int maxEntriesPerMessage, int maxInflight, int snapshotChunkBytes) {
    return new RaftConfig(id, electionTicks, heartbeatTicks, preVote, checkQuorum, maxEntriesPerMessage,
        maxBytesPerMessage, maxInflight, snapshotChunkBytes, compactionMargin, autoPromoteLearners);
  }

  public RaftConfig withCompactionMargin(int margin) {
    return new RaftConfig(id, electionTicks, heartbeatTicks, preVote, checkQuorum, maxEntriesPerMessage,
        maxBytesPerMessage, maxInflight, snapshotChunkBytes, margin, autoPromoteLearners);
  }

  public RaftConfig withAutoPromoteLearners(boolean on) {
    return new RaftConfig(id, electionTicks, heartbeatTicks, preVote, checkQuorum, maxEntriesPerMessage,
        maxBytesPerMessage, maxInflight, snapshotChunkBytes, compactionMargin, on);
  }
}
