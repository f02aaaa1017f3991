package dev.quern.raft;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one node knows of itself and, if it leads, of its followers (etcd's {@code raft.Status}).
 * Built by {@link RaftCore#status()}, which changes nothing; an immutable value, safe to hand to
 * other threads.
 *
 * @param id             this node
 * @param term           its current term
 * @param vote           whom it voted for in {@code term}, or {@link RaftCore#NONE}
 * @param role           its role
 * @param leader         the leader it knows of in {@code term}, or {@link RaftCore#NONE}
 * @param commit         the highest index it knows to be committed
 * @param applied        the highest index its driver has applied (as reported by {@code advance})
 * @param lastIndex      the last index in its log
 * @param snapshotIndex  the index of its latest snapshot (0 if none)
 * @param voters         the voters of the configuration in force (the latest in its log)
 * @param learners       the learners of that configuration
 * @param leadTransferee leader only: the node leadership is being handed to, or {@link RaftCore#NONE}
 * @param progress       leader only: its view of every other member, by node id (empty otherwise)
 */
public record RaftStatus(long id, long term, long vote, Role role, long leader, long commit, long applied,
             long lastIndex, long snapshotIndex, List<Long> voters, List<Long> learners,
             long leadTransferee, SortedMap<Long, FollowerProgress> progress) {

  /** How the leader sends to a follower: one append at a time, pipelined appends, or a snapshot. */
  public enum ProgressState { PROBE, REPLICATE, SNAPSHOT }

  /**
   * The leader's view of one follower or learner.
   *
   * @param match            the highest index known to be replicated there
   * @param next             the next index to send
   * @param state            how the leader sends to it now
   * @param recentActive     heard from since the leader's last check-quorum round (they are an
   *                         election timeout apart; a new member counts as active until the first)
   * @param learner          a learner (receives the log, does not vote)
   * @param inflightMessages appends in the pipelining window (REPLICATE only)
   * @param inflightBytes    entry bytes ({@code Entry.size()}: data plus a fixed overhead) sent and not
   *                         yet acknowledged, i.e. of the entries after {@code match} and before
   *                         {@code next}; 0 in PROBE and SNAPSHOT, where nothing is sent ahead
   * @param pendingSnapshot  in SNAPSHOT: the index of the snapshot being sent; 0 otherwise
   */
  public record FollowerProgress(long match, long next, ProgressState state, boolean recentActive,
                   boolean learner, int inflightMessages, long inflightBytes, long pendingSnapshot) {
  }

  public RaftStatus {
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
    progress = Collections.unmodifiableSortedMap(new TreeMap<>(progress));
  }

  public boolean isLeader() {
    return role == Role.LEADER;
  }

  /** Entry bytes in flight to all followers together. */
  public long inflightBytes() {
    long sum = 0;
    for (FollowerProgress p : progress.values()) {
      sum += p.inflightBytes();
    }
    return sum;
  }

  /** Reads the core's state; the leader's own progress entry is left out. */
  static RaftStatus of(long id, HardState hs, SoftState ss, RaftLog log, long leadTransferee,
             Map<Long, Progress> progress) {
    TreeMap<Long, FollowerProgress> followers = new TreeMap<>();
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (e.getKey() != id) {
        followers.put(e.getKey(), followerProgress(e.getValue(), log));
      }
    }
    Membership m = log.membership();
    return new RaftStatus(id, hs.term(), hs.vote(), ss.role(), ss.leader(), log.committed, log.applied,
        log.lastIndex(), log.snapshot().index(), m.voters(), m.learners(), leadTransferee, followers);
  }

  private static FollowerProgress followerProgress(Progress pr, RaftLog log) {
    ProgressState state = ProgressState.valueOf(pr.state.name());
    long bytes = 0;
    if (pr.state == Progress.State.REPLICATE) {
      // Sent optimistically and not acknowledged: what is not yet compacted of (match, next).
      long to = Math.min(pr.next - 1, log.lastIndex());
      for (long i = Math.max(pr.match + 1, log.firstIndex()); i <= to; i++) {
        bytes += log.entry(i).size();
      }
    }
    return new FollowerProgress(pr.match, pr.next, state, pr.recentActive, pr.learner,
        pr.state == Progress.State.REPLICATE ? pr.inflights.count() : 0, bytes,
        pr.state == Progress.State.SNAPSHOT ? pr.pendingSnapshot.index() : 0);
  }
}
