package dev.quern.raft;

import java.util.List;

/**
 * The messages Raft nodes exchange. Every message carries the sender's term; node ids are positive
 * longs. Each record has one meaning: an append's answer, the notice that a leader's term is stale
 * and the end of a snapshot transfer are three types, not one overloaded answer.
 */
public sealed interface Message {

  long from();

  long to();

  long term();

  /** Leader to follower: entries after (prevIndex, prevTerm), and the leader's commit index. */
  record AppendEntries(long from, long to, long term, long prevIndex, long prevTerm,
             List<Entry> entries, long commit) implements Message {
  }

  /**
   * Follower to leader, answering an {@link AppendEntries} of the follower's term. On success
   * {@code index} is the last index now known to match. On reject,
   * {@code index} is the rejected prevIndex and ({@code rejectHint}, {@code hintTerm}) is the
   * follower's last entry at or below it whose term is at most the leader's prevTerm, so the leader
   * can skip a whole divergent term at once.
   */
  record AppendResponse(long from, long to, long term, long index, boolean reject,
              long rejectHint, long hintTerm) implements Message {
  }

  /** Leader to follower: keeps the follower from campaigning; carries a ReadIndex context (0 = none). */
  record Heartbeat(long from, long to, long term, long commit, long context) implements Message {
  }

  record HeartbeatResponse(long from, long to, long term, long context) implements Message {
  }

  /**
   * Candidate to voter. A pre-vote asks "would you vote for me at {@code term}?" without changing
   * anyone's term; {@code transfer} marks an election started by TimeoutNow, which voters grant even
   * while they still hear from a leader.
   */
  record RequestVote(long from, long to, long term, long lastIndex, long lastTerm,
             boolean preVote, boolean transfer) implements Message {
  }

  record VoteResponse(long from, long to, long term, boolean preVote, boolean reject) implements Message {
  }

  /** Leader to follower: one chunk of a snapshot, starting at byte {@code offset} of its data. */
  record InstallSnapshot(long from, long to, long term, long index, long snapshotTerm,
               Membership membership, int offset, byte[] chunk, boolean done) implements Message {
  }

  /** Follower to leader: the byte offset it expects next for the snapshot at {@code index}. */
  record InstallSnapshotResponse(long from, long to, long term, long index, int nextOffset) implements Message {
  }

  /**
   * Follower to leader: a snapshot transfer is over. The follower installed the snapshot, or already
   * held its index; {@code index} is the follower's commit index now (at least the snapshot's index),
   * so its log matches the leader's up to there.
   */
  record SnapshotDone(long from, long to, long term, long index) implements Message {
  }

  /**
   * To a node that sent an {@link AppendEntries} or {@link Heartbeat} with a term below ours: our
   * (higher) term, so that a leader cut off by a partition steps down. Needed because with pre-vote
   * or check-quorum nobody raises its term on the stale leader's account.
   */
  record StaleTerm(long from, long to, long term) implements Message {
  }

  /** Leader to the transfer target: start an election now. */
  record TimeoutNow(long from, long to, long term) implements Message {
  }

  /**
   * Follower to its leader: a client's command, forwarded (etcd's MsgProp). With {@code id} 0 there is
   * no answer: the leader appends it if it can, and the follower's driver learns the outcome when it
   * applies the command (matched by what the command carries, e.g. a client id and sequence number).
   * With a non-zero {@code id} (chosen by the follower's driver) the leader answers with a
   * {@link ProposeResponse}.
   */
  record Propose(long from, long to, long term, long id, byte[] command) implements Message {

    /** A forward that wants no answer. */
    public Propose(long from, long to, long term, byte[] command) {
      this(from, to, term, 0, command);
    }
  }

  /**
   * Leader to the follower that forwarded {@link Propose} {@code id}: the command was appended at
   * {@code index} in this message's term, or dropped ({@code index} 0: a transfer under way, or a
   * size or uncommitted-bytes limit). Since an (index, term) names one entry, the follower knows the
   * command applied exactly when it applies an entry of this term at {@code index}. The core itself
   * ignores it; it is for the driver that forwarded the command.
   */
  record ProposeResponse(long from, long to, long term, long id, long index) implements Message {
  }

  /** Follower to its leader: confirm leadership for a read that a client asked at the follower. */
  record ReadIndexRequest(long from, long to, long term, long context) implements Message {
  }

  /**
   * Leader to the follower that asked: the read index for {@code context}, confirmed by a majority; the
   * follower serves the read once it has applied up to {@code index}.
   */
  record ReadIndexResponse(long from, long to, long term, long context, long index) implements Message {
  }
}
