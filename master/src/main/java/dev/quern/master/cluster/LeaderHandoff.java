package dev.quern.master.cluster;

import com.typesafe.config.Config;
import dev.quern.raft.RaftCore;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leading master that is asked to stop (SIGTERM, {@code quern cluster stop}) first hands
 * leadership to the most up-to-date follower that it heard from lately (Raft's leadership
 * transfer: the leader stops taking proposals, brings the target's log up to date and tells it to
 * campaign at once, TimeoutNow), so the group has a leader again within a round trip or two
 * instead of an election timeout after the leader went silent. If the chosen follower has not
 * taken over within an election timeout, the Raft core abandons the transfer and this tries the
 * best follower again; past {@code timeout} the master stops anyway and says so. A follower
 * stops at once.
 */
final class LeaderHandoff {
  private static final Logger log = LoggerFactory.getLogger(LeaderHandoff.class);
  /** The key of {@code quern.master}: how long a stopping leader tries to hand over. */
  static final String TIMEOUT_KEY = "leader-transfer-timeout";
  /** How often the status is looked at while a transfer runs (the node publishes every tick). */
  private static final Duration POLL = Duration.ofMillis(10);

  private LeaderHandoff() {
  }

  /** {@code quern.master.leader-transfer-timeout} of {@code user} (or its default); 0: no handoff. */
  static Duration timeout(Config user) {
    Duration d = user.withFallback(MasterProcessConfig.defaults())
        .getDuration(MasterProcessConfig.SECTION + "." + TIMEOUT_KEY);
    if (d.isNegative()) {
      throw new IllegalArgumentException("--" + TIMEOUT_KEY + ": must not be negative, got " + d);
    }
    return d;
  }

  /**
   * If this node leads, hands leadership over and returns once another node leads, or once
   * {@code timeout} has passed (logged).
   *
   * @return true if this node does not lead (any more) when it returns
   */
  static boolean run(MasterProcessConfig config, RaftMonitor monitor,
      ActorRef<RaftNodeActor.Command> raft, Duration timeout) {
    Optional<RaftStatus> first = monitor.status();
    if (first.isEmpty() || !first.get().isLeader()) {
      return true;
    }
    long term = first.get().term();
    if (timeout.isZero()) {
      log.info("master {} stops while leading term {} (leader-transfer-timeout 0: no handoff)",
          config.id(), term);
      return false;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long asked = RaftCore.NONE;
    while (System.nanoTime() - deadline < 0) {
      RaftStatus s = monitor.status().orElseThrow();
      if (!s.isLeader() && s.leader() != RaftCore.NONE) {
        log.info("master {} handed leadership over before stopping: {} leads term {} (was term {})",
            config.id(), Members.of(config, monitor).masterId(s.leader()), s.term(), term);
        return true;
      }
      if (!s.isLeader() && s.term() == term) {
        // Check-quorum deposed it (no majority heard from): nobody to hand over to.
        log.warn("master {} stopped leading term {} before any follower took over; stops",
            config.id(), term);
        return true;
      }
      // Not leading in a higher term: the transferee's election is under way, its win comes next.
      if (s.isLeader() && s.leadTransferee() == RaftCore.NONE) {
        long target = target(s);
        if (target == RaftCore.NONE) {
          // Check-quorum clears every follower's recent activity once per election timeout, so a
          // status read just after shows none until the next heartbeat answer: wait for one.
          if (!sleep()) {
            log.warn("master {}: interrupted while handing leadership over; stops", config.id());
            return false;
          }
          continue;
        }
        if (target != asked) {
          log.info("master {} stops: hands leadership of term {} to {} first (at most {})",
              config.id(), s.term(), Members.of(config, monitor).masterId(target), timeout);
        }
        asked = target;
        raft.tell(new RaftNodeActor.TransferLeadership(target));
      }
      if (!sleep()) {
        log.warn("master {}: interrupted while handing leadership over; stops", config.id());
        return false;
      }
    }
    log.warn("master {} stops while still leading term {}: {} within {} "
        + "(the others elect a leader after their election timeout)", config.id(),
        monitor.status().map(RaftStatus::term).orElse(term),
        asked == RaftCore.NONE ? "no voter was heard from lately to hand leadership to"
            : "no follower took over", timeout);
    return false;
  }

  /**
   * The voter to hand over to: heard from lately, with the most of the log (then the lowest id,
   * so the choice is stable); {@link RaftCore#NONE} if there is none.
   */
  static long target(RaftStatus s) {
    long best = RaftCore.NONE;
    long bestMatch = -1;
    for (Map.Entry<Long, RaftStatus.FollowerProgress> e : s.progress().entrySet()) {
      RaftStatus.FollowerProgress p = e.getValue();
      if (p.learner() || !p.recentActive() || !s.voters().contains(e.getKey())) {
        continue;
      }
      if (p.match() > bestMatch) {
        best = e.getKey();
        bestMatch = p.match();
      }
    }
    return best;
  }

  private static boolean sleep() {
    try {
      Thread.sleep(POLL.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
