package dev.quern.raft;

import dev.quern.raft.Message.AppendEntries;
import dev.quern.raft.Message.AppendResponse;
import dev.quern.raft.Message.Heartbeat;
import dev.quern.raft.Message.HeartbeatResponse;
import dev.quern.raft.Message.InstallSnapshot;
import dev.quern.raft.Message.InstallSnapshotResponse;
import dev.quern.raft.Message.Propose;
import dev.quern.raft.Message.ReadIndexRequest;
import dev.quern.raft.Message.ReadIndexResponse;
import dev.quern.raft.Message.RequestVote;
import dev.quern.raft.Message.SnapshotDone;
import dev.quern.raft.Message.StaleTerm;
import dev.quern.raft.Message.TimeoutNow;
import dev.quern.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * One Raft node as a deterministic state machine: no threads, clocks, sockets or disks. The driver
 * feeds it {@link #tick()}s, incoming messages ({@link #step}) and requests ({@link #propose},
 * {@link #readIndex}, {@link #transferLeadership}, {@link #proposeConfChange}), then collects a
 * {@link Ready} with what to persist, send and apply, and calls {@link #advance(Ready)} when done.
 * The same state and the same inputs (including the seeded random generator) give the same outputs.
 *
 * <p>Membership changes are single-server and take effect when the entry is appended (Raft thesis
 * 4.1), and revert if it is truncated. A leader accepts a change only when the previous one is
 * committed and it has committed an entry of its own term (the fix for the single-server bug).
 * A node that is not in its latest configuration neither campaigns nor pre-votes; so that a removed
 * node learns it was removed, the leader keeps replicating to it until it acknowledges the entry that
 * removed it, and a leader that hears a vote request from a non-member sends it the log the same way.
 *
 * <p>The leader writes its own entries in parallel with replicating them (Raft thesis 10.2.1): its
 * appends leave in {@link Ready#messagesBeforePersist()}, before the driver persists the same entries,
 * and the leader's own match index moves only in {@link #advance(Ready)}, once the driver has made them
 * durable. Why this is safe: an entry commits only when a majority holds it durably — the leader counts
 * in that majority only after its fsync, a follower only when it acks, which it does after its fsync —
 * so a committed entry survives any crash, with or without the leader's copy. A leader that crashes
 * before its write loses at most uncommitted entries of its term, and restarts as a follower that can
 * never lead that term again, so no other entry can take their index in that term. Only appends go
 * early, and only when the Ready does not change the term or vote: a message may reveal a term or vote
 * only once it is durable.
 *
 * <p>Not thread-safe: one driver thread (or actor) owns a core.
 */
public final class RaftCore {

  /** "No node": node ids are positive. */
  public static final long NONE = 0;

  private final RaftConfig cfg;
  private final long id;
  private final RandomGenerator random;
  private final RaftLog log;

  private long term;
  private long vote;
  private long lead = NONE;
  private Role role = Role.FOLLOWER;

  /** Leader only: one entry per member, including itself. Sorted so that messages go out in a fixed order. */
  private final TreeMap<Long, Progress> progress = new TreeMap<>();
  /**
   * Leader only: nodes no longer in the configuration that have not yet acknowledged a log holding a
   * configuration without them, with the index they must reach. They keep a {@link Progress} entry (and
   * get appends and heartbeats) until they do: a removed node that never learns of its removal would
   * time out and campaign forever. They count for nothing (commit, quorum, reads use the voters).
   */
  private final TreeMap<Long, Long> removing = new TreeMap<>();
  /** Candidate only: votes received, true = granted. */
  private final Map<Long, Boolean> votes = new HashMap<>();

  private final ArrayList<Message> msgs = new ArrayList<>();
  private final ArrayList<ReadState> readStates = new ArrayList<>();
  private final ReadOnly readOnly = new ReadOnly();
  /**
   * Leader only: reads forwarded by followers, by the negative context this leader gave them (client
   * contexts are positive, so the two never collide): the follower and its own context.
   */
  private final HashMap<Long, long[]> forwardedReads = new HashMap<>();
  private long nextForwardedRead;
  /** Reads that arrived before this leader committed an entry of its term. */
  private final ArrayList<Long> pendingReadIndex = new ArrayList<>();

  private int electionElapsed;
  private int heartbeatElapsed;
  private int randomizedElectionTimeout;
  private long leadTransferee = NONE;

  /** New entries to send: sent once per Ready, so proposals that arrive together go out in one append. */
  private boolean appendPending;
  /** The commit index moved: followers should hear it even with no new entries. */
  private boolean commitPending;
  /** A read arrived: confirm leadership with one heartbeat round per Ready. */
  private boolean readHeartbeatPending;
  /**
   * Leader only: {@link Entry#size()} summed over the commands (NORMAL entries) after the commit index,
   * bounded by {@link RaftConfig#maxUncommittedBytes()} on the proposal path.
   */
  private long uncommittedBytes;

  private SnapshotReceiver receiving;

  /** Where transitions are reported (see {@link RaftEvents} for why the core does not log). */
  private RaftEvents events = RaftEvents.NONE;

  private HardState prevHardState;
  private SoftState prevSoftState;
  private boolean readyOutstanding;

  /**
   * Starts a node from what it finds on stable storage ({@link PersistentState#EMPTY} for a node
   * that will be added to an existing group).
   */
  public RaftCore(RaftConfig config, PersistentState state, RandomGenerator random) {
    this.cfg = config;
    this.id = config.id();
    this.random = random;
    this.log = new RaftLog(state);
    this.prevHardState = state.hardState();
    this.prevSoftState = new SoftState(NONE, Role.FOLLOWER);
    becomeFollower(state.hardState().term(), NONE);
    this.vote = state.hardState().vote();
  }

  /**
   * Creates a founding member of a new group. Every founder must be given the same voters: the log
   * starts with one ADD_VOTER entry per voter at term 1, already committed, so that a node that
   * joins later learns the founding configuration from the log like any other change.
   */
  public static RaftCore bootstrap(RaftConfig config, Collection<Long> voters, RandomGenerator random) {
    return bootstrap(config, voters, Map.of(), random);
  }

  /**
   * {@link #bootstrap(RaftConfig, Collection, RandomGenerator)}, each founder's ADD_VOTER entry carrying
   * its address from {@code addresses} if there is one (so a node that joins later learns them from
   * the log). Every founder must be given the same voters and addresses.
   */
  public static RaftCore bootstrap(RaftConfig config, Collection<Long> voters, Map<Long, String> addresses,
                   RandomGenerator random) {
    RaftCore core = new RaftCore(config, PersistentState.EMPTY, random);
    List<Entry> ents = new ArrayList<>();
    long index = 1;
    for (long v : new TreeSet<>(voters)) {
      ConfChange add = new ConfChange(ConfChange.Type.ADD_VOTER, v, addresses.getOrDefault(v, ""));
      ents.add(new Entry(1, index++, EntryType.CONF_CHANGE, add.encode()));
    }
    core.becomeFollower(1, NONE);
    core.log.append(ents);
    core.log.commitTo(ents.size());
    return core;
  }

  // ---------------------------------------------------------------- inputs

  /** Advances logical time by one tick: elections on followers, heartbeats and check-quorum on leaders. */
  public void tick() {
    checkNotInReady();
    if (role == Role.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  /** Handles one message from another node. Messages for another node id are ignored. */
  public void step(Message m) {
    checkNotInReady();
    if (m.to() != id) {
      return;
    }
    if (role == Role.LEADER && !log.membership().contains(m.from()) && !progress.containsKey(m.from())) {
      if (m instanceof RequestVote) {
        // A node outside our configuration campaigns: it missed its removal (we may have been elected
        // after it was removed). Send it our log until it holds a configuration without itself.
        startRemoval(m.from(), log.lastConfIndex());
        sendAppend(m.from(), true);
        return;
      }
      if (m instanceof StaleTerm) {
        return; // a removed node's term must not depose the leader of the group it left
      }
    }
    if (m.term() > term) {
      if (m instanceof RequestVote rv && !rv.transfer()) {
        // Leader lease: while we hear from a leader, a vote request cannot be from a legitimate
        // election (check-quorum would have deposed the leader first), so it must not disrupt us.
        boolean inLease = cfg.checkQuorum() && lead != NONE && electionElapsed < cfg.electionTicks();
        if (inLease) {
          return;
        }
      }
      long ledTerm = role == Role.LEADER ? term : 0;
      if (m instanceof RequestVote rv && rv.preVote()) {
        // Never change our term in response to a pre-vote.
      } else if (m instanceof VoteResponse vr && vr.preVote() && !vr.reject()) {
        // A granted pre-vote carries the future term we asked about; we raise it when we win.
      } else if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
        becomeFollower(m.term(), m.from());
      } else {
        becomeFollower(m.term(), NONE);
      }
      if (ledTerm != 0 && role != Role.LEADER) {
        events.steppedDown(ledTerm, RaftEvents.StepDown.HIGHER_TERM);
      }
    } else if (m.term() < term) {
      if ((cfg.checkQuorum() || cfg.preVote()) && (m instanceof AppendEntries || m instanceof Heartbeat)) {
        // A leader cut off by a partition never raises its term, and with pre-vote nor will we on
        // its account; tell it our term so it steps down instead of staying a stale leader.
        send(new StaleTerm(id, m.from(), term));
      } else if (m instanceof RequestVote rv && rv.preVote()) {
        send(new VoteResponse(id, m.from(), term, true, true));
      }
      return;
    }
    if (m instanceof RequestVote rv) {
      handleRequestVote(rv);
      return;
    }
    switch (role) {
      case LEADER -> stepLeader(m);
      case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
      case FOLLOWER -> stepFollower(m);
    }
  }

  /**
   * Appends a command to the log if this node is the leader and no leadership transfer is running.
   * The entry is sent with the next {@link Ready}, batched with other proposals of the same Ready.
   *
   * @return the index the entry will have if committed, or 0 if this node cannot accept proposals
   *         (ask {@link #leader()} where to go instead)
   * @throws EntryTooLargeException if the command is larger than {@link RaftConfig#maxEntryBytes()}
   *         (on any node: the answer does not depend on who leads)
   * @throws UncommittedLimitException if this leader already holds {@link RaftConfig#maxUncommittedBytes()}
   *         of uncommitted commands; retry once entries commit
   */
  public long propose(byte[] command) {
    checkNotInReady();
    int length = command == null ? 0 : command.length;
    if (length > cfg.maxEntryBytes()) {
      throw new EntryTooLargeException(length, cfg.maxEntryBytes());
    }
    if (role != Role.LEADER || leadTransferee != NONE) {
      return 0;
    }
    int size = length + Entry.OVERHEAD;
    if (uncommittedBytes + size > cfg.maxUncommittedBytes()) {
      throw new UncommittedLimitException(uncommittedBytes, size, cfg.maxUncommittedBytes());
    }
    appendEntry(EntryType.NORMAL, command);
    return log.lastIndex();
  }

  /** {@link #proposeOrForward} forwarded the command to the leader. */
  public static final long FORWARDED = -1;

  /**
   * Like {@link #propose}, but a follower that knows its leader forwards the command to it
   * ({@link Message.Propose}) instead of refusing it. A forwarded command has no index yet: the caller
   * learns the outcome when the command is applied (it should carry an id, e.g. a
   * {@link ClientCommand}); a forward may be lost, and the client retries with the same id.
   *
   * @return the entry's index on a leader, {@link #FORWARDED}, or 0 with no known leader (or a leader
   *         that cannot accept proposals now, or {@link RaftConfig#forwardToLeader()} off)
   */
  public long proposeOrForward(byte[] command) {
    return proposeOrForward(command, 0);
  }

  /**
   * {@link #proposeOrForward(byte[])}; a forward with a non-zero {@code proposalId} is answered by the
   * leader with a {@link Message.ProposeResponse} carrying that id (the index it appended the command
   * at, or 0 if it dropped it), for the driver to track the command by (index, term).
   */
  public long proposeOrForward(byte[] command, long proposalId) {
    checkNotInReady();
    int length = command == null ? 0 : command.length;
    if (length > cfg.maxEntryBytes()) {
      throw new EntryTooLargeException(length, cfg.maxEntryBytes());
    }
    if (role == Role.LEADER) {
      return propose(command);
    }
    if (role != Role.FOLLOWER || lead == NONE || !cfg.forwardToLeader()) {
      return 0;
    }
    send(new Propose(id, lead, term, proposalId, command == null ? new byte[0] : command));
    return FORWARDED;
  }

  /**
   * Like {@link #readIndex}, but a follower that knows its leader asks the leader for the read index
   * ({@link ReadIndexRequest}); the answer appears in this node's {@link Ready#readStates()} and is
   * served, as on a leader, once this node has applied up to its index.
   *
   * @return false with no known leader (or {@link RaftConfig#forwardToLeader()} off)
   */
  public boolean readIndexOrForward(long context) {
    checkNotInReady();
    if (context <= 0) {
      throw new IllegalArgumentException("read context must be positive");
    }
    if (role == Role.LEADER) {
      return readIndex(context);
    }
    if (role != Role.FOLLOWER || lead == NONE || !cfg.forwardToLeader()) {
      return false;
    }
    send(new ReadIndexRequest(id, lead, term, context));
    return true;
  }

  /**
   * Proposes a single-server membership change. Accepted only by a leader whose previous change is
   * committed and that has committed an entry of its term; an invalid change (adding a member that
   * exists, removing one that does not, removing or demoting the last voter) is refused, and so is
   * DEMOTE_VOTER while {@link RaftConfig#autoPromoteLearners()} is on.
   *
   * @return the index of the conf-change entry, or 0 if refused
   */
  public long proposeConfChange(ConfChange change) {
    checkNotInReady();
    if (!canChangeMembership()) {
      return 0;
    }
    Membership m = log.membership();
    long n = change.nodeId();
    boolean valid = switch (change.type()) {
      case ADD_LEARNER -> !m.contains(n);
      case ADD_VOTER -> !m.isVoter(n);
      case REMOVE_NODE -> m.contains(n) && !(m.isVoter(n) && m.voters().size() == 1);
      // With auto-promotion on, the leader would promote the new learner straight back.
      case DEMOTE_VOTER -> m.isVoter(n) && m.voters().size() > 1 && !cfg.autoPromoteLearners();
    };
    if (!valid) {
      return 0;
    }
    appendEntry(EntryType.CONF_CHANGE, change.encode());
    return log.lastIndex();
  }

  /**
   * Starts a linearizable read. On a leader the read is stamped with the current commit index and
   * confirmed by a heartbeat round to a majority; it then appears in {@link Ready#readStates()}. A
   * new leader holds reads until it has committed an entry of its term, because until then its
   * commit index may lag what earlier leaders committed. Reads pending when leadership is lost are
   * dropped; the client retries.
   *
   * @param context a positive id chosen by the caller to match the answer to the request
   * @return false if this node is not the leader
   */
  public boolean readIndex(long context) {
    checkNotInReady();
    if (context <= 0) {
      throw new IllegalArgumentException("read context must be positive");
    }
    if (role != Role.LEADER) {
      return false;
    }
    if (!committedEntryInCurrentTerm()) {
      pendingReadIndex.add(context);
      return true;
    }
    addRead(context);
    return true;
  }

  /**
   * Hands leadership to {@code target} (a voter): the leader stops accepting proposals, brings the
   * target's log up to date, then tells it to campaign at once (TimeoutNow). If the target has not
   * taken over within an election timeout, the transfer is abandoned.
   *
   * @return false if this node is not the leader or the target is not another voter
   */
  public boolean transferLeadership(long target) {
    checkNotInReady();
    if (role != Role.LEADER || target == id || !log.membership().isVoter(target)) {
      return false;
    }
    if (leadTransferee == target) {
      return true;
    }
    leadTransferee = target;
    electionElapsed = 0;
    Progress pr = progress.get(target);
    if (pr.match == log.lastIndex()) {
      sendTimeoutNow(target);
    } else {
      sendAppend(target, true);
    }
    return true;
  }

  /**
   * Records a snapshot the application took of its state after applying {@code index} (at most
   * {@link #appliedIndex()}), and compacts the in-memory log. The driver persists the returned
   * snapshot and may then drop persisted entries up to its index.
   */
  public Snapshot createSnapshot(long index, byte[] data) {
    checkNotInReady();
    return log.compact(index, data, cfg.compactionMargin());
  }

  /**
   * The snapshot {@link #createSnapshot} would record at {@code index} with {@code data}, without
   * recording it: its term and configuration are read from the log now. A driver that writes the
   * state machine's image on another thread takes this first (the image's header) and calls {@code
   * createSnapshot} once the file is durable, if {@code index} is still above {@link #snapshot()}.
   *
   * @throws IllegalArgumentException unless {@code snapshot().index() < index <= appliedIndex()}
   */
  public Snapshot snapshotAt(long index, byte[] data) {
    if (index > log.applied || index <= log.snapshot().index()) {
      throw new IllegalArgumentException("snapshot index " + index + " must be in (" + log.snapshot().index()
          + ", " + log.applied + "]");
    }
    return new Snapshot(index, log.term(index), log.membershipAt(index), data);
  }

  // ---------------------------------------------------------------- Ready

  /**
   * Is there anything to persist, send, apply or serve? A pure query: it changes nothing, so calling
   * it any number of times does not change what the next {@link #ready()} holds (the appends that
   * proposals made necessary are only built in {@code ready()}, which is what batches them).
   */
  public boolean hasReady() {
    return !softState().equals(prevSoftState) || !hardState().equals(prevHardState)
        || log.hasUnstableEntries() || log.unstableSnapshot() != null || !msgs.isEmpty()
        || log.hasNextCommittedEntries() || !readStates.isEmpty() || flushWouldSend();
  }

  /** Collects the pending work. The core must not be ticked or stepped until {@link #advance(Ready)}. */
  public Ready ready() {
    checkNotInReady();
    flushPending();
    HardState hs = hardState();
    List<Entry> entries = log.unstableEntries();
    Snapshot snapshot = log.unstableSnapshot();
    boolean termOrVoteChanged = hs.term() != prevHardState.term() || hs.vote() != prevHardState.vote();
    boolean mustSync = !entries.isEmpty() || snapshot != null || termOrVoteChanged;
    // Appends carry only the leader's log and a commit index counted from durable copies, so they need
    // not wait for this Ready's writes; anything else (votes, acks) promises what is on disk.
    List<Message> early = new ArrayList<>();
    List<Message> late = new ArrayList<>();
    for (Message m : msgs) {
      (!termOrVoteChanged && m instanceof AppendEntries ? early : late).add(m);
    }
    Ready rd = new Ready(softState(), hs.equals(prevHardState) ? null : hs, entries, snapshot,
        log.nextCommittedEntries(), early, late, new ArrayList<>(readStates), mustSync);
    msgs.clear();
    readStates.clear();
    readyOutstanding = true;
    return rd;
  }

  /** Tells the core that everything in {@code rd} has been persisted, sent and applied. */
  public void advance(Ready rd) {
    if (!readyOutstanding) {
      throw new IllegalStateException("advance without ready");
    }
    readyOutstanding = false;
    prevSoftState = rd.softState();
    if (rd.hardState() != null) {
      prevHardState = rd.hardState();
    }
    if (!rd.entries().isEmpty()) {
      log.stableTo(rd.entries().get(rd.entries().size() - 1).index());
    }
    if (rd.snapshot() != null) {
      log.stableSnapshot();
      log.appliedTo(rd.snapshot().index());
    }
    if (!rd.committedEntries().isEmpty()) {
      log.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).index());
    }
    if (role == Role.LEADER) {
      // Our own entries are durable now: only from here on do we count ourselves as holding them.
      Progress self = progress.get(id);
      if (self != null && self.maybeUpdate(log.stableIndex()) && maybeCommit()) {
        commitPending = true;
      }
    }
  }

  // ---------------------------------------------------------------- status

  public long id() {
    return id;
  }

  public long term() {
    return term;
  }

  public Role role() {
    return role;
  }

  /** The leader this node knows of in its current term, or {@link #NONE}. */
  public long leader() {
    return lead;
  }

  public boolean isLeader() {
    return role == Role.LEADER;
  }

  public long commitIndex() {
    return log.committed;
  }

  public long appliedIndex() {
    return log.applied;
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public long firstIndex() {
    return log.firstIndex();
  }

  /** The term of the entry at {@code index}, or -1 if compacted or absent. */
  public long termAt(long index) {
    return log.term(index);
  }

  /** The configuration in force: the latest one in the log, committed or not. */
  public Membership membership() {
    return log.membership();
  }

  /** The latest snapshot (taken here or received from a leader). */
  public Snapshot snapshot() {
    return log.snapshot();
  }

  public HardState hardState() {
    return new HardState(term, vote, log.committed);
  }

  public SoftState softState() {
    return new SoftState(lead, role);
  }

  /**
   * A snapshot of what this node knows: term, role, leader, log positions and, on a leader, each
   * follower's progress. Changes nothing; the value may be handed to other threads.
   */
  public RaftStatus status() {
    return RaftStatus.of(id, hardState(), softState(), log, leadTransferee, progress);
  }

  /** Reports elections, step-downs and snapshot transfers to {@code listener} from now on. */
  public void setEvents(RaftEvents listener) {
    this.events = listener == null ? RaftEvents.NONE : listener;
  }

  /** Leader only: the highest index known to be replicated on {@code peer}, or -1 if unknown. */
  public long matchIndex(long peer) {
    Progress pr = progress.get(peer);
    return pr == null ? -1 : pr.match;
  }

  /**
   * Leader only: the entry bytes of appends sent to {@code peer} and not yet acknowledged, as counted
   * against {@link RaftConfig#maxInflightBytes()}; -1 if unknown.
   */
  public long inflightBytes(long peer) {
    Progress pr = progress.get(peer);
    return pr == null ? -1 : pr.inflights.bytes();
  }

  /**
   * Leader only (0 otherwise): the bytes of the commands after the commit index, as counted against
   * {@link RaftConfig#maxUncommittedBytes()}.
   */
  public long uncommittedBytes() {
    return uncommittedBytes;
  }

  // ---------------------------------------------------------------- roles

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = NONE;
    }
    lead = NONE;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTimeout = cfg.electionTicks() + random.nextInt(cfg.electionTicks());
    leadTransferee = NONE;
    votes.clear();
    progress.clear();
    removing.clear();
    forwardedReads.clear();
    readOnly.reset();
    pendingReadIndex.clear();
    appendPending = false;
    commitPending = false;
    readHeartbeatPending = false;
    uncommittedBytes = 0;
  }

  private void becomeFollower(long newTerm, long leader) {
    reset(newTerm);
    lead = leader;
    role = Role.FOLLOWER;
  }

  private void becomePreCandidate() {
    // Deliberately keeps term and vote: a pre-candidate has promised nothing yet.
    votes.clear();
    lead = NONE;
    role = Role.PRE_CANDIDATE;
  }

  private void becomeCandidate() {
    reset(term + 1);
    vote = id;
    role = Role.CANDIDATE;
  }

  private void becomeLeader() {
    reset(term);
    lead = id;
    role = Role.LEADER;
    syncProgress();
    progress.get(id).becomeReplicate();
    progress.get(id).match = log.stableIndex(); // the rest counts once advance() reports it durable
    // Commands of earlier terms that we hold uncommitted count too: they are as much in memory.
    uncommittedBytes = commandBytes(log.committed + 1, log.lastIndex());
    // An entry of our own term: only by committing one can we commit (and know) earlier entries (Fig. 8).
    appendEntry(EntryType.NO_OP, null);
    events.electionWon(term);
  }

  private boolean promotable() {
    return log.membership().isVoter(id);
  }

  private void tickElection() {
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      campaign(cfg.preVote(), false);
    }
  }

  private void tickHeartbeat() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= cfg.electionTicks()) {
      electionElapsed = 0;
      boolean active = quorumActive(); // also starts the next "recently active" period, which promotion uses
      if (cfg.checkQuorum() && !active) {
        events.steppedDown(term, RaftEvents.StepDown.QUORUM_LOST);
        becomeFollower(term, NONE);
        return;
      }
      leadTransferee = NONE; // a transfer that has not finished within an election timeout failed
    }
    if (heartbeatElapsed >= cfg.heartbeatTicks()) {
      heartbeatElapsed = 0;
      bcastHeartbeat(readOnly.lastPendingContext());
      maybePromoteLearner();
    }
  }

  /** Has a majority of voters been heard from since the last check? Resets the marks for the next one. */
  private boolean quorumActive() {
    int active = 0;
    for (long v : log.membership().voters()) {
      Progress pr = progress.get(v);
      if (v == id || (pr != null && pr.recentActive)) {
        active++;
      }
    }
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (e.getKey() != id) {
        e.getValue().recentActive = false;
      }
    }
    return active >= Quorum.majority(log.membership().voters().size());
  }

  private void campaign(boolean preVote, boolean transfer) {
    if (!promotable()) {
      return;
    }
    long voteTerm;
    if (preVote) {
      becomePreCandidate();
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteTerm = term;
    }
    events.electionStarted(voteTerm, preVote, transfer);
    votes.put(id, true);
    List<Long> voters = log.membership().voters();
    if (Quorum.voteResult(voters, votes) == Quorum.VoteResult.WON) {
      if (preVote) {
        campaign(false, transfer);
      } else {
        becomeLeader();
      }
      return;
    }
    for (long v : voters) {
      if (v != id) {
        send(new RequestVote(id, v, voteTerm, log.lastIndex(), log.lastTerm(), preVote, transfer));
      }
    }
  }

  private void handleRequestVote(RequestVote rv) {
    boolean canVote = vote == rv.from()
        || (vote == NONE && lead == NONE)
        || (rv.preVote() && rv.term() > term);
    if (canVote && log.isUpToDate(rv.lastIndex(), rv.lastTerm())) {
      send(new VoteResponse(id, rv.from(), rv.term(), rv.preVote(), false));
      if (!rv.preVote()) {
        electionElapsed = 0;
        vote = rv.from();
      }
    } else {
      send(new VoteResponse(id, rv.from(), term, rv.preVote(), true));
    }
  }

  // ---------------------------------------------------------------- per-role step

  private void stepFollower(Message m) {
    if (m instanceof AppendEntries a) {
      electionElapsed = 0;
      lead = a.from();
      handleAppendEntries(a);
    } else if (m instanceof Heartbeat h) {
      electionElapsed = 0;
      lead = h.from();
      handleHeartbeat(h);
    } else if (m instanceof InstallSnapshot s) {
      electionElapsed = 0;
      lead = s.from();
      handleInstallSnapshot(s);
    } else if (m instanceof TimeoutNow) {
      campaign(false, true);
    } else if (m instanceof ReadIndexResponse r && r.from() == lead) {
      readStates.add(new ReadState(r.index(), r.context()));
    }
  }

  private void stepCandidate(Message m) {
    if (m instanceof AppendEntries a) {
      becomeFollower(m.term(), a.from());
      handleAppendEntries(a);
    } else if (m instanceof Heartbeat h) {
      becomeFollower(m.term(), h.from());
      handleHeartbeat(h);
    } else if (m instanceof InstallSnapshot s) {
      becomeFollower(m.term(), s.from());
      handleInstallSnapshot(s);
    } else if (m instanceof VoteResponse vr) {
      if (vr.preVote() != (role == Role.PRE_CANDIDATE)) {
        return; // an answer to an earlier round of the other kind
      }
      votes.putIfAbsent(vr.from(), !vr.reject());
      Quorum.VoteResult result = Quorum.voteResult(log.membership().voters(), votes);
      if (result == Quorum.VoteResult.WON) {
        if (role == Role.PRE_CANDIDATE) {
          campaign(false, false);
        } else {
          becomeLeader();
        }
      } else if (result == Quorum.VoteResult.LOST) {
        events.electionLost(role == Role.PRE_CANDIDATE ? term + 1 : term, role == Role.PRE_CANDIDATE);
        becomeFollower(term, NONE);
      }
    }
  }

  private void stepLeader(Message m) {
    Progress pr = progress.get(m.from());
    if (pr == null) {
      return; // not (or no longer) a member
    }
    if (m instanceof Propose p) {
      handleForwardedProposal(p);
    } else if (m instanceof ReadIndexRequest r) {
      long local = --nextForwardedRead;
      forwardedReads.put(local, new long[] {r.from(), r.context()});
      if (committedEntryInCurrentTerm()) {
        addRead(local);
      } else {
        pendingReadIndex.add(local);
      }
    } else if (m instanceof AppendResponse r) {
      handleAppendResponse(r, pr);
    } else if (m instanceof HeartbeatResponse h) {
      handleHeartbeatResponse(h, pr);
    } else if (m instanceof InstallSnapshotResponse s) {
      handleSnapshotResponse(s, pr);
    } else if (m instanceof SnapshotDone d) {
      pr.recentActive = true;
      handleAppendSuccess(d.from(), d.index(), pr);
    }
  }

  // ---------------------------------------------------------------- follower handlers

  private void handleAppendEntries(AppendEntries a) {
    if (a.prevIndex() < log.committed) {
      // Everything up to our commit index already matches; tell the leader where we are.
      send(new AppendResponse(id, a.from(), term, log.committed, false, 0, 0));
      return;
    }
    long last = log.maybeAppend(a.prevIndex(), a.prevTerm(), a.commit(), a.entries());
    if (last >= 0) {
      send(new AppendResponse(id, a.from(), term, last, false, 0, 0));
      return;
    }
    long hint = log.findConflictByTerm(Math.min(a.prevIndex(), log.lastIndex()), a.prevTerm());
    send(new AppendResponse(id, a.from(), term, a.prevIndex(), true, hint, Math.max(0, log.term(hint))));
  }

  private void handleHeartbeat(Heartbeat h) {
    // The leader sends min(match, commit), so this never commits an entry we have not matched.
    log.commitTo(Math.min(h.commit(), log.lastIndex()));
    send(new HeartbeatResponse(id, h.from(), term, h.context()));
  }

  private void handleInstallSnapshot(InstallSnapshot s) {
    if (s.index() <= log.committed) {
      receiving = null;
      send(new SnapshotDone(id, s.from(), term, log.committed));
      return;
    }
    if (receiving == null || !receiving.isFor(s)) {
      if (s.offset() != 0) {
        send(new InstallSnapshotResponse(id, s.from(), term, s.index(), 0));
        return;
      }
      receiving = new SnapshotReceiver(s);
    }
    if (s.offset() != receiving.size()) {
      send(new InstallSnapshotResponse(id, s.from(), term, s.index(), receiving.size()));
      return;
    }
    receiving.append(s.chunk());
    if (!s.done()) {
      send(new InstallSnapshotResponse(id, s.from(), term, s.index(), receiving.size()));
      return;
    }
    Snapshot snap = receiving.toSnapshot();
    receiving = null;
    if (log.matchTerm(snap.index(), snap.term())) {
      // We already hold that entry: the snapshot only tells us it is committed.
      log.commitTo(snap.index());
    } else {
      log.restore(snap);
    }
    send(new SnapshotDone(id, s.from(), term, log.committed));
  }

  // ---------------------------------------------------------------- leader handlers

  private void handleAppendResponse(AppendResponse r, Progress pr) {
    pr.recentActive = true;
    if (r.reject()) {
      long nextProbe = r.rejectHint();
      if (r.hintTerm() > 0) {
        // Skip every entry of ours whose term is above the follower's hint term: they cannot match.
        nextProbe = log.findConflictByTerm(r.rejectHint(), r.hintTerm());
      }
      if (pr.maybeDecrTo(r.index(), nextProbe)) {
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
        sendAppend(r.from(), true);
      }
      return;
    }
    handleAppendSuccess(r.from(), r.index(), pr);
  }

  /** Tracks a node outside the configuration until its log reaches {@code index}. */
  private void startRemoval(long node, long index) {
    Progress pr = new Progress(log.lastIndex() + 1, cfg.maxInflight(), cfg.maxInflightBytes(), true);
    progress.put(node, pr);
    removing.put(node, index);
  }

  /** {@code from} holds our log up to {@code index}: an append was acknowledged, or a snapshot transfer ended. */
  private void handleAppendSuccess(long from, long index, Progress pr) {
    Long removedAt = removing.get(from);
    if (removedAt != null && Math.max(pr.match, index) >= removedAt) {
      // It holds a configuration without itself now, so it will not campaign: stop replicating to it.
      removing.remove(from);
      progress.remove(from);
      return;
    }
    if (pr.maybeUpdate(index) || (pr.match == index && pr.state != Progress.State.REPLICATE)) {
      switch (pr.state) {
        case PROBE -> pr.becomeReplicate();
        case SNAPSHOT -> {
          // Done when the follower has the snapshot's index (it may have had it already), or when
          // the log reaches its position. If we compacted further meanwhile, sendAppend below
          // starts over with our newest snapshot.
          if (pr.match >= pr.pendingSnapshot.index() || pr.match + 1 >= log.firstIndex()) {
            pr.becomeProbe();
            pr.becomeReplicate();
          }
        }
        case REPLICATE -> pr.inflights.freeLE(index);
      }
      if (maybeCommit()) {
        commitPending = true;
      }
      // The window may have opened by several messages at once: fill it.
      while (sendAppend(from, false)) {
        // keep sending
      }
      if (from == leadTransferee && pr.match == log.lastIndex()) {
        sendTimeoutNow(from);
      }
    }
  }

  private void handleHeartbeatResponse(HeartbeatResponse h, Progress pr) {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state == Progress.State.REPLICATE && (pr.inflights.full() || nextEntryBlocked(pr))) {
      pr.inflights.freeFirstOne(); // an append may have been lost; let one more through
    }
    if (pr.match < log.lastIndex() || pr.state == Progress.State.PROBE) {
      sendAppend(h.from(), true);
    }
    if (h.context() == 0) {
      return;
    }
    Set<Long> acks = readOnly.recvAck(h.from(), h.context());
    if (acks == null) {
      return;
    }
    int voterAcks = 0;
    for (long v : log.membership().voters()) {
      if (acks.contains(v)) {
        voterAcks++;
      }
    }
    if (voterAcks >= Quorum.majority(log.membership().voters().size())) {
      releaseReads(readOnly.advance(h.context()));
    }
  }

  private void handleSnapshotResponse(InstallSnapshotResponse s, Progress pr) {
    pr.recentActive = true;
    if (pr.state != Progress.State.SNAPSHOT || pr.pendingSnapshot.index() != s.index()) {
      return;
    }
    int next = s.nextOffset() > pr.pendingSnapshot.data().length ? 0 : s.nextOffset();
    if (next != pr.snapshotOffset) {
      pr.snapshotOffset = next;
      sendSnapshotChunk(s.from(), pr);
    }
  }

  // ---------------------------------------------------------------- leader machinery

  private void appendEntry(EntryType type, byte[] data) {
    Entry e = new Entry(term, log.lastIndex() + 1, type, data);
    log.append(List.of(e));
    if (type == EntryType.NORMAL) {
      uncommittedBytes += e.size();
    }
    if (type == EntryType.CONF_CHANGE) {
      syncProgress();
    }
    // Our own match does not move here: the entry counts for us only once durable (see advance).
    // A conf change may still shrink the majority that is needed for what is already matched.
    maybeCommit();
    appendPending = true;
  }

  /**
   * Makes the progress map match the configuration in the log (it changes when a conf entry is appended).
   * A node that left keeps its entry until it acknowledges the entry that removed it (see {@link #removing}).
   */
  private void syncProgress() {
    Membership m = log.membership();
    for (long p : new ArrayList<>(progress.keySet())) {
      if (!m.contains(p) && !removing.containsKey(p)) {
        if (role == Role.LEADER && p != id && log.lastConfIndex() == log.lastIndex()) {
          removing.put(p, log.lastIndex());
        } else {
          progress.remove(p);
        }
      }
    }
    removing.keySet().removeIf(m::contains);
    for (long p : m.all()) {
      Progress pr = progress.get(p);
      if (pr == null) {
        pr = new Progress(log.lastIndex() + 1, cfg.maxInflight(), cfg.maxInflightBytes(), false);
        pr.recentActive = true; // a new member gets an election timeout before it counts as silent
        progress.put(p, pr);
      }
      pr.learner = m.isLearner(p);
    }
    if (leadTransferee != NONE && !m.isVoter(leadTransferee)) {
      leadTransferee = NONE;
    }
  }

  /** Commits the highest index a majority has matched, if it is of the current term (Raft Figure 8). */
  private boolean maybeCommit() {
    List<Long> voters = log.membership().voters();
    long mci = Quorum.committedIndex(voters, v -> {
      Progress pr = progress.get(v);
      return pr == null ? 0 : pr.match;
    });
    if (mci > log.committed && mci <= log.lastIndex() && log.term(mci) == term) {
      uncommittedBytes -= commandBytes(log.committed + 1, mci);
      log.commitTo(mci);
      afterCommit();
      return true;
    }
    return false;
  }

  private void afterCommit() {
    if (!pendingReadIndex.isEmpty() && committedEntryInCurrentTerm()) {
      for (long ctx : pendingReadIndex) {
        addRead(ctx);
      }
      pendingReadIndex.clear();
    }
    if (!log.membership().isVoter(id) && log.committed >= log.lastConfIndex()) {
      // Our removal is committed: the group no longer needs us to lead it.
      events.steppedDown(term, RaftEvents.StepDown.REMOVED);
      becomeFollower(term, NONE);
    }
  }

  /** {@link Entry#size()} summed over the NORMAL entries in [from, to]. */
  private long commandBytes(long from, long to) {
    long bytes = 0;
    for (long i = Math.max(from, log.firstIndex()); i <= to; i++) {
      Entry e = log.entry(i);
      if (e.type() == EntryType.NORMAL) {
        bytes += e.size();
      }
    }
    return bytes;
  }

  private boolean committedEntryInCurrentTerm() {
    return log.term(log.committed) == term;
  }

  private boolean canChangeMembership() {
    return role == Role.LEADER && leadTransferee == NONE
        && log.lastConfIndex() <= log.committed && committedEntryInCurrentTerm();
  }

  /**
   * A proposal a follower forwarded: appended if a local one would be, else dropped (the client
   * retries). A forward with an id is answered with where the command went (0: dropped).
   */
  private void handleForwardedProposal(Propose p) {
    int size = p.command().length + Entry.OVERHEAD;
    long index = 0;
    if (leadTransferee == NONE && p.command().length <= cfg.maxEntryBytes()
        && uncommittedBytes + size <= cfg.maxUncommittedBytes()) {
      appendEntry(EntryType.NORMAL, p.command());
      index = log.lastIndex();
    }
    if (p.id() != 0) {
      send(new Message.ProposeResponse(id, p.from(), term, p.id(), index));
    }
  }

  /** Hands out confirmed reads: ours to the driver, forwarded ones back to the follower that asked. */
  private void releaseReads(List<ReadState> confirmed) {
    for (ReadState rs : confirmed) {
      long[] origin = forwardedReads.remove(rs.context());
      if (origin == null) {
        readStates.add(rs);
      } else {
        send(new ReadIndexResponse(id, origin[0], term, origin[1], rs.index()));
      }
    }
  }

  private void addRead(long context) {
    List<Long> voters = log.membership().voters();
    if (voters.size() == 1 && voters.get(0) == id) {
      releaseReads(List.of(new ReadState(log.committed, context)));
      return;
    }
    readOnly.add(log.committed, context, id);
    readHeartbeatPending = true;
  }

  /**
   * Promotes one learner that has caught up with the commit index and was heard from in the current
   * check period (at most an election timeout), if a change may start now: a learner that caught up
   * and then went silent would make the group need a node it cannot reach.
   */
  private void maybePromoteLearner() {
    if (!cfg.autoPromoteLearners() || !canChangeMembership()) {
      return;
    }
    for (long learner : log.membership().learners()) {
      Progress pr = progress.get(learner);
      if (pr != null && pr.match >= log.committed && pr.recentActive) {
        appendEntry(EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, learner).encode());
        return;
      }
    }
  }

  /** Sends what the Ready's inputs made necessary, once per Ready (this is where proposals are batched). */
  private void flushPending() {
    if (role != Role.LEADER) {
      return;
    }
    if (appendPending || commitPending) {
      boolean sendIfEmpty = commitPending;
      appendPending = false;
      commitPending = false;
      for (long p : new ArrayList<>(progress.keySet())) {
        if (p == id) {
          continue;
        }
        if (sendAppend(p, sendIfEmpty)) {
          while (sendAppend(p, false)) {
            // pipeline further batches while the window allows
          }
        }
      }
    }
    if (readHeartbeatPending) {
      readHeartbeatPending = false;
      bcastHeartbeat(readOnly.lastPendingContext());
    }
  }

  /**
   * Would {@link #flushPending()} send anything? Decides exactly as it does (through
   * {@link #canSendAppend}) but changes nothing: {@link #hasReady()} asks it.
   */
  private boolean flushWouldSend() {
    if (role != Role.LEADER) {
      return false;
    }
    boolean appends = appendPending || commitPending;
    if (!appends && !readHeartbeatPending) {
      return false;
    }
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (e.getKey() == id) {
        continue;
      }
      if (readHeartbeatPending || canSendAppend(e.getValue(), commitPending)) {
        return true; // a heartbeat goes to every other member
      }
    }
    return false;
  }

  /**
   * Would {@link #sendAppend} send {@code pr}'s node a message? The one place that decides it:
   * {@link #sendAppend} sends exactly when this says so. Changes nothing.
   */
  private boolean canSendAppend(Progress pr, boolean sendIfEmpty) {
    if (pr == null || pr.isPaused()) {
      return false;
    }
    if (pr.next < log.firstIndex() || sendIfEmpty) {
      return true; // the snapshot, or an append that carries the commit index or probes
    }
    return pr.next <= log.lastIndex() && !nextEntryBlocked(pr);
  }

  /** Nothing counted in flight (PROBE sends one at a time, uncounted): the next append may take any one entry. */
  private static boolean windowEmpty(Progress pr) {
    return pr.state != Progress.State.REPLICATE || pr.inflights.count() == 0;
  }

  /**
   * The entry bytes the next append to {@code pr}'s node may carry: a message's worth, or less if the
   * in-flight window has less room. An empty window takes one entry whatever its size (an entry from
   * before a smaller limit must not block replication forever).
   */
  private long appendByteLimit(Progress pr) {
    return windowEmpty(pr) ? cfg.maxBytesPerMessage() : Math.min(cfg.maxBytesPerMessage(), pr.inflights.budget());
  }

  /** Is there a next entry for {@code pr}'s node, and does the in-flight window lack room for it? */
  private boolean nextEntryBlocked(Progress pr) {
    return !windowEmpty(pr) && pr.next >= log.firstIndex() && pr.next <= log.lastIndex()
        && log.entry(pr.next).size() > appendByteLimit(pr);
  }

  /**
   * Sends {@code to} the entries it lacks, or the snapshot if they are compacted away. With
   * {@code sendIfEmpty} an append without entries is sent too (to carry the commit index or to probe).
   *
   * @return whether a message was sent
   */
  private boolean sendAppend(long to, boolean sendIfEmpty) {
    Progress pr = progress.get(to);
    if (!canSendAppend(pr, sendIfEmpty)) {
      return false;
    }
    if (pr.next < log.firstIndex()) {
      pr.becomeSnapshot(log.snapshot());
      events.snapshotSendStarted(to, log.snapshot());
      sendSnapshotChunk(to, pr);
      return true;
    }
    long prevIndex = pr.next - 1;
    List<Entry> ents = log.slice(pr.next, cfg.maxEntriesPerMessage(), appendByteLimit(pr), windowEmpty(pr));
    send(new AppendEntries(id, to, term, prevIndex, log.term(prevIndex), ents, log.committed));
    if (pr.state == Progress.State.REPLICATE) {
      if (!ents.isEmpty()) {
        long last = ents.get(ents.size() - 1).index();
        long bytes = 0;
        for (Entry e : ents) {
          bytes += e.size();
        }
        pr.next = last + 1; // optimistic: pipeline without waiting for the answer
        pr.inflights.add(last, bytes);
      }
    } else {
      pr.probeSent = true;
    }
    return true;
  }

  private void sendSnapshotChunk(long to, Progress pr) {
    Snapshot s = pr.pendingSnapshot;
    int off = pr.snapshotOffset;
    int end = Math.min(s.data().length, off + cfg.snapshotChunkBytes());
    send(new InstallSnapshot(id, to, term, s.index(), s.term(), s.membership(), off,
        Arrays.copyOfRange(s.data(), off, end), end == s.data().length));
  }

  private void bcastHeartbeat(long context) {
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      long p = e.getKey();
      if (p == id) {
        continue;
      }
      Progress pr = e.getValue();
      send(new Heartbeat(id, p, term, Math.min(pr.match, log.committed), context));
      if (pr.state == Progress.State.SNAPSHOT) {
        sendSnapshotChunk(p, pr); // resend the chunk the follower asked for last, in case it was lost
      }
    }
  }

  private void sendTimeoutNow(long to) {
    send(new TimeoutNow(id, to, term));
  }

  private void send(Message m) {
    msgs.add(m);
  }

  private void checkNotInReady() {
    if (readyOutstanding) {
      throw new IllegalStateException("call advance(ready) before using the core again");
    }
  }

  @Override
  public String toString() {
    return "RaftCore[" + id + " " + role + " term=" + term + " lead=" + lead + " commit=" + log.committed
        + " applied=" + log.applied + " first=" + log.firstIndex() + " last=" + log.lastIndex()
        + (role == Role.LEADER ? " progress=" + progress : "") + "]";
  }
}
