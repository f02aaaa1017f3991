package dev.quern.raft.node;

import dev.quern.raft.Message;
import dev.quern.raft.node.RaftNodeActor.Dropped;
import dev.quern.raft.node.RaftNodeActor.ProposeReply;
import dev.quern.raft.node.RaftNodeActor.RetryLater;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A follower's proposals and reads forwarded to its leader, from the forward until the leader's
 * answer (or until they are given up).
 *
 * <p>etcd's ProposalForwarding sends the proposal to the leader as MsgProp and nothing comes back;
 * the etcd server that took the request waits on its own request id (carried inside the command)
 * until it applies the entry, or times out. Commands here are the application's opaque bytes, so
 * the id travels beside them instead: the follower sends {@link Message.Propose} with an id of its
 * own, the leader answers {@link Message.ProposeResponse} with the index it appended the command at
 * (in its term) or 0 if it did not take it, and from then on the follower tracks the command like a
 * local proposal, by (index, term): it answers {@code Applied} only when it applies an entry of that
 * term at that index, which is the command (one (index, term), one entry), and {@code Dropped} when
 * another entry or a snapshot takes the index. Until the answer comes the outcome is unknown: if the
 * leader changes, or no answer comes within {@code timeoutTicks}, the asker gets
 * {@code Dropped(0)} (retry; with {@link dev.quern.raft.DedupStateMachine} a retry applies at most
 * once), never {@code Applied}. A leader that refuses the command answers 0, and the asker gets
 * {@code RetryLater}.
 *
 * <p>Reads need no id of ours: the core forwards a read's context and hands the leader's read index
 * back in {@code Ready.readStates()}. This class only gives forwarded reads a deadline.
 */
final class ForwardedRequests {

  /** A forwarded proposal waiting for the leader's answer. */
  private record Waiting(ActorRef<ProposeReply> replyTo, long leader, long deadline) {
  }

  /** The leader took the command: apply at {@code index} in {@code term} means it applied. */
  record Accepted(long index, long term, ActorRef<ProposeReply> replyTo) {
  }

  private final long timeoutTicks;
  private final Map<Long, Waiting> proposals = new HashMap<>();
  private final Map<Long, Long> readDeadlines = new HashMap<>();
  private long now;
  private long nextId;

  /**
   * @param timeoutTicks how long to wait for the leader's answer (to a proposal: its index; to a read:
   *                     its read index)
   * @param firstId      the first proposal id; random, so that an answer meant for an earlier
   *                     incarnation of the node is not taken for one of ours
   */
  ForwardedRequests(long timeoutTicks, long firstId) {
    this.timeoutTicks = timeoutTicks;
    this.nextId = firstId;
  }

  /** A fresh non-zero id for the next forward (0 means "no answer wanted"). */
  long nextId() {
    if (nextId == 0) {
      nextId++;
    }
    return nextId++;
  }

  void proposalForwarded(long id, long leader, ActorRef<ProposeReply> replyTo) {
    proposals.put(id, new Waiting(replyTo, leader, now + timeoutTicks));
  }

  /**
   * The leader's answer. Returns the command to track if the leader appended it; if it did not,
   * the asker is told to retry later and null is returned (also for an answer nobody waits for).
   */
  Accepted answered(Message.ProposeResponse r) {
    Waiting w = proposals.remove(r.id());
    if (w == null) {
      return null;
    }
    if (r.index() == 0) {
      w.replyTo().tell(new RetryLater("the leader did not take the forwarded command (a leadership transfer,"
          + " or its uncommitted-bytes limit)"));
      return null;
    }
    return new Accepted(r.index(), r.term(), w.replyTo());
  }

  void readForwarded(long context) {
    readDeadlines.put(context, now + timeoutTicks);
  }

  void readAnswered(long context) {
    readDeadlines.remove(context);
  }

  /**
   * One tick: proposals past their deadline are answered {@code Dropped(0)}; returns the contexts of
   * reads past theirs (the caller answers them).
   */
  List<Long> tick() {
    now++;
    Iterator<Waiting> it = proposals.values().iterator();
    while (it.hasNext()) {
      Waiting w = it.next();
      if (w.deadline() <= now) {
        it.remove();
        w.replyTo().tell(new Dropped(0));
      }
    }
    List<Long> expired = new ArrayList<>();
    readDeadlines.entrySet().removeIf(e -> {
      if (e.getValue() <= now) {
        expired.add(e.getKey());
        return true;
      }
      return false;
    });
    return expired;
  }

  /**
   * The node now follows {@code leader} (or none): proposals forwarded to another leader may or may
   * not be in the log, so their askers get {@code Dropped(0)}. (Forwarded reads are answered by the
   * driver, which drops every unconfirmed read on a leader change.)
   */
  void leaderChanged(long leader) {
    Iterator<Waiting> it = proposals.values().iterator();
    while (it.hasNext()) {
      Waiting w = it.next();
      if (w.leader() != leader) {
        it.remove();
        w.replyTo().tell(new Dropped(0));
      }
    }
  }

  /** Forwarded proposals still waiting for the leader's answer. */
  int waiting() {
    return proposals.size();
  }
}
