package dev.quern.raft.node;

import dev.quern.raft.ConfChange;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Message;
import dev.quern.raft.RaftCore;
import dev.quern.raft.RaftEvents;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.Ready;
import dev.quern.raft.Role;
import dev.quern.raft.Snapshot;
import dev.quern.raft.SoftState;
import dev.quern.raft.node.RaftMetrics.Counter;
import dev.quern.raft.node.RaftMetrics.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's eyes: turns the core's {@link RaftEvents}, the Readys the driver handles and its own
 * calls into log lines, {@link RaftMetrics} and the published {@link RaftStatus}. One per actor
 * incarnation, used only on the actor's thread.
 *
 * <p>Logs (logger {@code dev.quern.raft.node.RaftNodeActor}) only at transitions an operator needs,
 * never per entry: elections (pre-votes at debug: a cut-off node runs one every election timeout),
 * step-downs, leader changes, applied membership changes, snapshot transfers started, and refused
 * proposals — the first refusal of each kind per leader and term at info, the rest at debug.
 *
 * <p>Publishes the {@link RaftStatus} and the gauges at once when the node's role, term, vote,
 * leader, configuration or snapshot changed, and otherwise at most every {@link
 * #PUBLISH_INTERVAL_NANOS} and once after every tick: a busy leader handles thousands of Readys a
 * second, and building the status (the followers' progress, their in-flight bytes) for each was a
 * visible part of its CPU per entry. So the commit and applied indexes and the progress published
 * lag the node by at most that interval or one tick.
 */
final class NodeObserver implements RaftEvents {

  static final Logger LOG = LoggerFactory.getLogger(RaftNodeActor.class);

  /** While busy, the status is published at most this often (and after every tick). */
  static final long PUBLISH_INTERVAL_NANOS = 10_000_000L;

  private final RaftCore core;
  private final RaftMonitor monitor;
  private final RaftMetrics metrics;
  private final long id;
  private long lastLeader;
  /** The last (term, leader) put in the monitor's leader history. */
  private long recordedTerm = -1;
  private long recordedLeader = RaftCore.NONE;
  /** The latest election this node knows a leadership transfer started: its term and candidate. */
  private long transferTerm = -1;
  private long transferCandidate = RaftCore.NONE;
  private long lastCommit;
  /** Leader only: when each of its proposals was accepted (System.nanoTime), by index, until committed. */
  private final ProposalTimes proposedAt = new ProposalTimes();
  /** What the last published status said of the fields published at once when they change. */
  private long publishedTerm = -1;
  private long publishedVote;
  private long publishedLeader;
  private Role publishedRole;
  private Membership publishedMembership;
  private long publishedSnapshot;
  private long publishedAt;
  private boolean tickedSincePublished;
  /** The last refusal logged at info, so that the same one is logged at debug until something changes. */
  private String lastRefusal;

  NodeObserver(RaftCore core, RaftMonitor monitor) {
    this.core = core;
    this.monitor = monitor;
    this.metrics = monitor.metrics();
    this.id = core.id();
    this.lastLeader = core.leader();
    this.lastCommit = core.commitIndex();
  }

  // ---------------------------------------------------------------- the core's events

  @Override
  public void electionStarted(long term, boolean preVote, boolean transfer) {
    if (preVote) {
      metrics.increment(Counter.PRE_VOTE_CAMPAIGNS);
      LOG.debug("raft node {} asks for pre-votes for term {}", id, term);
    } else {
      metrics.increment(Counter.ELECTIONS_STARTED);
      if (transfer) {
        transferTerm = term;
        transferCandidate = id;
      }
      LOG.info("raft node {} starts an election for term {}{}", id, term, transfer ? " (leadership transfer)" : "");
    }
  }

  @Override
  public void electionLost(long term, boolean preVote) {
    if (preVote) {
      LOG.debug("raft node {} lost the pre-vote for term {}", id, term);
    } else {
      LOG.info("raft node {} lost the election for term {}: a majority of voters refused", id, term);
    }
  }

  @Override
  public void electionWon(long term) {
    metrics.increment(Counter.ELECTIONS_WON);
    LOG.info("raft node {} won the election for term {}", id, term);
  }

  @Override
  public void steppedDown(long term, StepDown reason) {
    switch (reason) {
      case QUORUM_LOST -> LOG.warn("raft node {} steps down as leader of term {}: it has not heard from a majority"
          + " of voters within an election timeout", id, term);
      case HIGHER_TERM -> LOG.info("raft node {} steps down as leader of term {}: another node has a higher term",
          id, term);
      case REMOVED -> LOG.info("raft node {} steps down as leader of term {}: its removal from the group is committed",
          id, term);
    }
  }

  @Override
  public void snapshotSendStarted(long to, Snapshot snapshot) {
    // The bytes are counted by the driver's sender, which streams the snapshot's file.
    metrics.increment(Counter.SNAPSHOTS_SENT);
    LOG.info("raft node {} sends node {} the snapshot at index {} (term {}): its next entry is compacted away",
        id, to, snapshot.index(), snapshot.term());
  }

  // ---------------------------------------------------------------- the driver's calls

  /**
   * A message arrived: a vote request of an election that a leadership transfer started tells
   * this voter (the old leader included) that its winner took over by transfer.
   */
  void received(Message m) {
    if (m instanceof Message.RequestVote rv && rv.transfer() && !rv.preVote()
        && rv.term() >= transferTerm) {
      transferTerm = rv.term();
      transferCandidate = rv.from();
    }
  }

  /** The core accepted a proposal at {@code index}. */
  void proposed(long index) {
    metrics.increment(Counter.PROPOSALS);
    proposedAt.add(index, System.nanoTime());
  }

  /** The core refused a proposal (returned 0): not the leader, or a leadership transfer is under way. */
  void proposalRefused() {
    proposalRefused(core.isLeader() ? "a leadership transfer is under way"
        : core.leader() == RaftCore.NONE ? "not the leader, and no leader is known"
        : "not the leader (node " + core.leader() + " is)");
  }

  /** A proposal was refused for {@code reason} (keep details that vary per command out of it). */
  void proposalRefused(String reason) {
    metrics.increment(Counter.PROPOSALS_REFUSED);
    String refusal = "raft node " + id + " refuses proposals in term " + core.term() + ": " + reason;
    if (refusal.equals(lastRefusal)) {
      LOG.debug(refusal);
    } else {
      lastRefusal = refusal;
      LOG.info("{}; until that changes, further refusals are logged at debug", refusal);
    }
  }

  /** After the driver handled {@code rd} (and called {@code advance}). */
  void handled(Ready rd) {
    SoftState ss = rd.softState();
    if (ss.leader() != lastLeader) {
      if (ss.leader() != RaftCore.NONE) {
        metrics.increment(Counter.LEADER_CHANGES);
        LOG.info("raft node {}: node {} leads term {}", id, ss.leader(), core.term());
      } else {
        LOG.info("raft node {}: no leader in term {} (node {} led)", id, core.term(), lastLeader);
      }
      lastLeader = ss.leader();
    }
    if (ss.leader() != RaftCore.NONE
        && (ss.leader() != recordedLeader || core.term() != recordedTerm)) {
      recordedLeader = ss.leader();
      recordedTerm = core.term();
      boolean transfer = transferTerm == core.term() && transferCandidate == ss.leader();
      monitor.leaderChanged(new RaftMonitor.LeaderChange(core.term(), ss.leader(),
          System.currentTimeMillis(), transfer));
      if (transfer) {
        LOG.info("raft node {}: node {} took over term {} by leadership transfer", id, ss.leader(),
            core.term());
      }
    }
    HardState hs = rd.hardState();
    if (hs != null && hs.commit() > lastCommit) {
      metrics.add(Counter.ENTRIES_COMMITTED, hs.commit() - lastCommit);
      lastCommit = hs.commit();
      long now = System.nanoTime();
      while (!proposedAt.isEmpty() && proposedAt.firstIndex() <= lastCommit) {
        metrics.appendLatency().recordNanos(now - proposedAt.removeFirst());
      }
    }
    if (ss.role() != Role.LEADER) {
      proposedAt.clear(); // what it proposed may be replaced; it no longer learns of commits first anyway
    }
    metrics.add(Counter.ENTRIES_APPLIED, rd.committedEntries().size());
    for (Entry e : rd.committedEntries()) {
      if (e.type() == EntryType.CONF_CHANGE) {
        ConfChange c = ConfChange.decode(e.data());
        Membership m = core.membership();
        LOG.info("raft node {} applied membership change {} node {} (index {}); configuration in force: voters {},"
            + " learners {}", id, c.type(), c.nodeId(), e.index(), m.voters(), m.learners());
      }
    }
  }

  /** A tick went by: the next {@link #publishIfDue} publishes. */
  void ticked() {
    tickedSincePublished = true;
  }

  /**
   * After every batch of Readys: publishes the status and the gauges if a field published at once
   * changed, a tick went by or {@link #PUBLISH_INTERVAL_NANOS} passed since the last publication.
   */
  void publishIfDue() {
    long now = System.nanoTime();
    HardState hs = core.hardState();
    boolean changed = hs.term() != publishedTerm || hs.vote() != publishedVote
        || core.leader() != publishedLeader || core.role() != publishedRole
        || !core.membership().equals(publishedMembership) || core.snapshot().index() != publishedSnapshot;
    if (changed || tickedSincePublished || now - publishedAt >= PUBLISH_INTERVAL_NANOS) {
      publish(now);
    }
  }

  private void publish(long now) {
    publishedAt = now;
    tickedSincePublished = false;
    RaftStatus s = core.status();
    publishedTerm = s.term();
    publishedVote = s.vote();
    publishedLeader = s.leader();
    publishedRole = s.role();
    publishedMembership = core.membership();
    publishedSnapshot = s.snapshotIndex();
    monitor.publish(s, publishedMembership);
    metrics.set(Gauge.TERM, s.term());
    metrics.set(Gauge.COMMIT_INDEX, s.commit());
    metrics.set(Gauge.APPLIED_INDEX, s.applied());
    metrics.set(Gauge.IS_LEADER, s.isLeader() ? 1 : 0);
    metrics.set(Gauge.HAS_LEADER, s.leader() != RaftCore.NONE ? 1 : 0);
    metrics.set(Gauge.INFLIGHT_BYTES, s.inflightBytes());
  }

  /** Indexes (increasing) and times, first in first out; two arrays, no boxing. */
  private static final class ProposalTimes {
    private long[] indexes = new long[64];
    private long[] times = new long[64];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    long firstIndex() {
      return indexes[head];
    }

    /** The time of the first index, which goes. */
    long removeFirst() {
      long t = times[head];
      head = (head + 1) % indexes.length;
      size--;
      return t;
    }

    /**
     * Adds {@code index} at {@code time}. An index not above the last one means the log was cut
     * back (leadership lost and won again between two Readys): the earlier ones will never commit
     * as proposed, so they go.
     */
    void add(long index, long time) {
      if (size > 0 && indexes[(head + size - 1) % indexes.length] >= index) {
        clear();
      }
      if (size == indexes.length) {
        long[] i2 = new long[size * 2];
        long[] t2 = new long[size * 2];
        for (int k = 0; k < size; k++) {
          i2[k] = indexes[(head + k) % indexes.length];
          t2[k] = times[(head + k) % indexes.length];
        }
        indexes = i2;
        times = t2;
        head = 0;
      }
      int tail = (head + size) % indexes.length;
      indexes[tail] = index;
      times[tail] = time;
      size++;
    }

    void clear() {
      head = 0;
      size = 0;
    }
  }
}
