package dev.quern.raft;

/**
 * Tunables of one Raft node, built by name and validated: {@code RaftConfig.builder(id).electionTicks(10)
 * .build()}, or {@link #defaults(long)} and {@link #toBuilder()} to change a few. Time is counted in
 * ticks; the driver decides how long a tick is. Sizes are in bytes; an entry counts as its data plus
 * {@link Entry#OVERHEAD} ({@link Entry#size()}), the most its own fields take on the wire.
 *
 * <p>The size limits nest, and {@link Builder#build()} checks that they do:
 * {@code maxEntryBytes + Entry.OVERHEAD <= maxBytesPerMessage <= maxInflightBytes}, and
 * {@code maxEntryBytes + Entry.OVERHEAD <= maxUncommittedBytes}. So the largest entry a leader accepts
 * always fits one append, and one full append always fits the in-flight window. A driver must make
 * one append (at most {@code maxBytesPerMessage} of entries plus the message's own header) fit one
 * frame of its transport; the Pekko driver checks this at start ({@code node.RaftWire}).
 */
public final class RaftConfig {

  private final long id;
  private final int electionTicks;
  private final int heartbeatTicks;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final int maxEntriesPerMessage;
  private final int maxBytesPerMessage;
  private final int maxEntryBytes;
  private final int maxInflight;
  private final long maxInflightBytes;
  private final long maxUncommittedBytes;
  private final int snapshotChunkBytes;
  private final long snapshotInflightBytes;
  private final long snapshotAfterBytes;
  private final int compactionMargin;
  private final boolean autoPromoteLearners;
  private final boolean forwardToLeader;

  private RaftConfig(Builder b) {
    this.id = b.id;
    this.electionTicks = b.electionTicks;
    this.heartbeatTicks = b.heartbeatTicks;
    this.preVote = b.preVote;
    this.checkQuorum = b.checkQuorum;
    this.maxEntriesPerMessage = b.maxEntriesPerMessage;
    this.maxBytesPerMessage = b.maxBytesPerMessage;
    this.maxEntryBytes = b.maxEntryBytes;
    this.maxInflight = b.maxInflight;
    this.maxInflightBytes = b.maxInflightBytes;
    this.maxUncommittedBytes = b.maxUncommittedBytes;
    this.snapshotChunkBytes = b.snapshotChunkBytes;
    this.snapshotInflightBytes = b.snapshotInflightBytes;
    this.snapshotAfterBytes = b.snapshotAfterBytes;
    this.compactionMargin = b.compactionMargin;
    this.autoPromoteLearners = b.autoPromoteLearners;
    this.forwardToLeader = b.forwardToLeader;
  }

  /** A builder with every field at its default (see {@link Builder}). */
  public static Builder builder(long id) {
    return new Builder(id);
  }

  /** Defaults: election 10 ticks, heartbeat 1 tick, pre-vote and check-quorum on; sizes as in {@link Builder}. */
  public static RaftConfig defaults(long id) {
    return builder(id).build();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder(id)
        .electionTicks(electionTicks)
        .heartbeatTicks(heartbeatTicks)
        .preVote(preVote)
        .checkQuorum(checkQuorum)
        .maxEntriesPerMessage(maxEntriesPerMessage)
        .maxBytesPerMessage(maxBytesPerMessage)
        .maxEntryBytes(maxEntryBytes)
        .maxInflight(maxInflight)
        .maxInflightBytes(maxInflightBytes)
        .maxUncommittedBytes(maxUncommittedBytes)
        .snapshotChunkBytes(snapshotChunkBytes)
        .snapshotInflightBytes(snapshotInflightBytes)
        .snapshotAfterBytes(snapshotAfterBytes)
        .compactionMargin(compactionMargin)
        .autoPromoteLearners(autoPromoteLearners)
        .forwardToLeader(forwardToLeader);
  }

  /** This node's id, a positive long. */
  public long id() {
    return id;
  }

  /** Base election timeout; the real one is random in [electionTicks, 2*electionTicks). */
  public int electionTicks() {
    return electionTicks;
  }

  /** How often a leader sends heartbeats; below electionTicks. */
  public int heartbeatTicks() {
    return heartbeatTicks;
  }

  /** Probe with pre-votes before raising the term, so a node that was cut off does not depose a healthy leader. */
  public boolean preVote() {
    return preVote;
  }

  /**
   * Every electionTicks ticks a leader checks that it heard from a majority since the previous check,
   * and steps down if not; followers that hear from a leader ignore votes (leader lease).
   */
  public boolean checkQuorum() {
    return checkQuorum;
  }

  /** At most this many entries in one AppendEntries. */
  public int maxEntriesPerMessage() {
    return maxEntriesPerMessage;
  }

  /** At most this many entry bytes ({@link Entry#size()} summed) in one AppendEntries. */
  public int maxBytesPerMessage() {
    return maxBytesPerMessage;
  }

  /** The largest command {@link RaftCore#propose} accepts, in data bytes. */
  public int maxEntryBytes() {
    return maxEntryBytes;
  }

  /** Appends in flight per follower in replicate state (the pipelining window), counted in messages. */
  public int maxInflight() {
    return maxInflight;
  }

  /** Entry bytes in flight per follower in replicate state (etcd's MaxInflightBytes). */
  public long maxInflightBytes() {
    return maxInflightBytes;
  }

  /**
   * Entry bytes of commands a leader holds uncommitted (etcd's MaxUncommittedEntriesSize); a proposal
   * beyond it is refused with {@link UncommittedLimitException}, to retry once entries commit.
   */
  public long maxUncommittedBytes() {
    return maxUncommittedBytes;
  }

  /** Size of one InstallSnapshot chunk. */
  public int snapshotChunkBytes() {
    return snapshotChunkBytes;
  }

  /**
   * Snapshot bytes a driver that streams snapshots keeps in flight to one follower (sent, not yet
   * acknowledged): several chunks, so a transfer is not one round trip per chunk.
   */
  public long snapshotInflightBytes() {
    return snapshotInflightBytes;
  }

  /**
   * Compaction by size: a driver takes a snapshot once the entries applied since the last one hold
   * this many bytes ({@link Entry#size()} summed), besides any count it uses; 0 = by count only.
   */
  public long snapshotAfterBytes() {
    return snapshotAfterBytes;
  }

  /**
   * Entries kept below a new snapshot, so slightly lagging followers catch up from the log. A store
   * that keeps them across restarts must be told the same number (the WAL's {@code
   * RaftLogStore.Options.withCompactionMargin}).
   */
  public int compactionMargin() {
    return compactionMargin;
  }

  /** The leader promotes a learner to voter once it has caught up. */
  public boolean autoPromoteLearners() {
    return autoPromoteLearners;
  }

  /**
   * A follower forwards proposals and reads to the leader it knows ({@link RaftCore#proposeOrForward},
   * {@link RaftCore#readIndexOrForward}) instead of refusing them (etcd's ProposalForwarding, on by
   * default). Off: they are refused as on any non-leader.
   */
  public boolean forwardToLeader() {
    return forwardToLeader;
  }

  @Override
  public String toString() {
    return "RaftConfig[id=" + id + " electionTicks=" + electionTicks + " heartbeatTicks=" + heartbeatTicks
        + " preVote=" + preVote + " checkQuorum=" + checkQuorum + " maxEntriesPerMessage=" + maxEntriesPerMessage
        + " maxBytesPerMessage=" + maxBytesPerMessage + " maxEntryBytes=" + maxEntryBytes
        + " maxInflight=" + maxInflight + " maxInflightBytes=" + maxInflightBytes
        + " maxUncommittedBytes=" + maxUncommittedBytes + " snapshotChunkBytes=" + snapshotChunkBytes
        + " snapshotInflightBytes=" + snapshotInflightBytes + " snapshotAfterBytes=" + snapshotAfterBytes
        + " compactionMargin=" + compactionMargin + " autoPromoteLearners=" + autoPromoteLearners
        + " forwardToLeader=" + forwardToLeader + "]";
  }

  /**
   * Named construction of a {@link RaftConfig}. Defaults: election 10 ticks, heartbeat 1, pre-vote and
   * check-quorum on, 64 entries and 128 KiB per append, entries up to 64 KiB, 16 appends and 1 MiB in
   * flight per follower, 8 MiB uncommitted at the leader, 64 KiB snapshot chunks and 256 KiB of them
   * in flight, snapshots by count only, no compaction margin, learners promoted automatically,
   * followers forward proposals and reads to the leader. With Pekko Artery's default 256 KiB frame, an append of
   * 128 KiB leaves the rest for the message and envelope headers.
   */
  public static final class Builder {
    private final long id;
    private int electionTicks = 10;
    private int heartbeatTicks = 1;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private int maxEntriesPerMessage = 64;
    private int maxBytesPerMessage = 128 * 1024;
    private int maxEntryBytes = 64 * 1024;
    private int maxInflight = 16;
    private long maxInflightBytes = 1024 * 1024;
    private long maxUncommittedBytes = 8 * 1024 * 1024;
    private int snapshotChunkBytes = 64 * 1024;
    private long snapshotInflightBytes = 256 * 1024;
    private long snapshotAfterBytes = 0;
    private int compactionMargin = 0;
    private boolean autoPromoteLearners = true;
    private boolean forwardToLeader = true;

    private Builder(long id) {
      this.id = id;
    }

    public Builder electionTicks(int ticks) {
      this.electionTicks = ticks;
      return this;
    }

    public Builder heartbeatTicks(int ticks) {
      this.heartbeatTicks = ticks;
      return this;
    }

    public Builder preVote(boolean on) {
      this.preVote = on;
      return this;
    }

    public Builder checkQuorum(boolean on) {
      this.checkQuorum = on;
      return this;
    }

    public Builder maxEntriesPerMessage(int n) {
      this.maxEntriesPerMessage = n;
      return this;
    }

    public Builder maxBytesPerMessage(int bytes) {
      this.maxBytesPerMessage = bytes;
      return this;
    }

    public Builder maxEntryBytes(int bytes) {
      this.maxEntryBytes = bytes;
      return this;
    }

    public Builder maxInflight(int n) {
      this.maxInflight = n;
      return this;
    }

    public Builder maxInflightBytes(long bytes) {
      this.maxInflightBytes = bytes;
      return this;
    }

    public Builder maxUncommittedBytes(long bytes) {
      this.maxUncommittedBytes = bytes;
      return this;
    }

    public Builder snapshotChunkBytes(int bytes) {
      this.snapshotChunkBytes = bytes;
      return this;
    }

    public Builder snapshotInflightBytes(long bytes) {
      this.snapshotInflightBytes = bytes;
      return this;
    }

    public Builder snapshotAfterBytes(long bytes) {
      this.snapshotAfterBytes = bytes;
      return this;
    }

    public Builder compactionMargin(int entries) {
      this.compactionMargin = entries;
      return this;
    }

    public Builder autoPromoteLearners(boolean on) {
      this.autoPromoteLearners = on;
      return this;
    }

    public Builder forwardToLeader(boolean on) {
      this.forwardToLeader = on;
      return this;
    }

    /** Validates every limit; the exception names the field and the value that is wrong. */
    public RaftConfig build() {
      atLeast("id", id, 1);
      atLeast("heartbeatTicks", heartbeatTicks, 1);
      if (electionTicks <= heartbeatTicks) {
        throw new IllegalArgumentException("electionTicks must be greater than heartbeatTicks ("
            + heartbeatTicks + "): " + electionTicks);
      }
      atLeast("maxEntriesPerMessage", maxEntriesPerMessage, 1);
      atLeast("maxEntryBytes", maxEntryBytes, 1);
      long largestEntry = (long) maxEntryBytes + Entry.OVERHEAD;
      if (maxBytesPerMessage < largestEntry) {
        throw new IllegalArgumentException("maxBytesPerMessage must be at least maxEntryBytes (" + maxEntryBytes
            + ") + " + Entry.OVERHEAD + " so that the largest entry fits one append: " + maxBytesPerMessage);
      }
      atLeast("maxInflight", maxInflight, 1);
      if (maxInflightBytes < maxBytesPerMessage) {
        throw new IllegalArgumentException("maxInflightBytes must be at least maxBytesPerMessage ("
            + maxBytesPerMessage + ") so that one full append fits the window: " + maxInflightBytes);
      }
      if (maxUncommittedBytes < largestEntry) {
        throw new IllegalArgumentException("maxUncommittedBytes must be at least maxEntryBytes (" + maxEntryBytes
            + ") + " + Entry.OVERHEAD + " so that the largest entry can be proposed: " + maxUncommittedBytes);
      }
      atLeast("snapshotChunkBytes", snapshotChunkBytes, 1);
      if (snapshotInflightBytes < snapshotChunkBytes) {
        throw new IllegalArgumentException("snapshotInflightBytes must be at least snapshotChunkBytes ("
            + snapshotChunkBytes + ") so that one chunk fits the window: " + snapshotInflightBytes);
      }
      atLeast("snapshotAfterBytes", snapshotAfterBytes, 0);
      atLeast("compactionMargin", compactionMargin, 0);
      return new RaftConfig(this);
    }

    private static void atLeast(String field, long value, long min) {
      if (value < min) {
        throw new IllegalArgumentException(field + " must be at least " + min + ": " + value);
      }
    }
  }
}
