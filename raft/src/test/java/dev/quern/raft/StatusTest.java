package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.RaftStatus.FollowerProgress;
import dev.quern.raft.RaftStatus.ProgressState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftCore#status()} in the simulation: what the leader reports of each follower, and what
 * followers report of the leader, against what the scenario knows (who is cut off, what was proposed,
 * what each node holds); and that asking for a status changes nothing.
 */
class StatusTest {

  private static final String CLASS = "dev.quern.raft.StatusTest";

  @Test
  void leaderSeesEachFollowersProgressAndFollowersSeeTheLeader() {
    Seeds.run(CLASS, "leaderSeesEachFollowersProgressAndFollowersSeeTheLeader", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable());
      SimCluster.Node l = sim.awaitLeader(5_000);
      long a = sim.one("a", 3);
      List<Long> followers = others(sim, l.id);
      // Quiet now: every follower acknowledged index a and heard that it is committed.
      assertThat(sim.runUntil(() -> followers.stream().allMatch(f -> {
        FollowerProgress p = l.core.status().progress().get(f);
        return p.match() == a && p.recentActive() && sim.node(f).core.commitIndex() == a;
      }), 1_000)).isTrue();

      RaftStatus s = l.core.status();
      long term = s.term();
      assertThat(s.id()).isEqualTo(l.id);
      assertThat(s.role()).isEqualTo(Role.LEADER);
      assertThat(s.isLeader()).isTrue();
      assertThat(s.leader()).isEqualTo(l.id);
      assertThat(s.vote()).isEqualTo(l.id);
      assertThat(s.commit()).isEqualTo(a);
      assertThat(s.applied()).isEqualTo(l.applied).isEqualTo(a);
      assertThat(s.lastIndex()).isEqualTo(a);
      assertThat(s.snapshotIndex()).isZero();
      assertThat(s.voters()).containsExactly(1L, 2L, 3L);
      assertThat(s.learners()).isEmpty();
      assertThat(s.leadTransferee()).isEqualTo(RaftCore.NONE);
      assertThat(s.progress().keySet()).containsExactlyElementsOf(followers);
      for (long f : followers) {
        assertThat(s.progress().get(f)).as("node %d", f)
            .isEqualTo(new FollowerProgress(a, a + 1, ProgressState.REPLICATE, true, false, 0, 0, 0));
        RaftStatus fs = sim.node(f).core.status();
        assertThat(fs.id()).isEqualTo(f);
        assertThat(fs.role()).isEqualTo(Role.FOLLOWER);
        assertThat(fs.leader()).isEqualTo(l.id);
        assertThat(fs.term()).isEqualTo(term);
        // Its vote in this term: the leader, itself (it ran too), or none (the leader's append came first).
        assertThat(fs.vote()).isIn(l.id, f, RaftCore.NONE);
        assertThat(fs.commit()).isEqualTo(a);
        assertThat(fs.applied()).isEqualTo(sim.node(f).applied).isEqualTo(a);
        assertThat(fs.lastIndex()).isEqualTo(a);
        assertThat(fs.progress()).isEmpty();
        assertThat(fs.inflightBytes()).isZero();
      }

      // Cut one follower off; the leader and the other follower commit b without it.
      long cut = followers.get(1);
      long live = followers.get(0);
      sim.isolate(cut);
      byte[] cmd = new ClientCommand(9, 1, KvStateMachine.append("k", "x".repeat(100))).encode();
      long b = l.core.propose(cmd);
      sim.process(l);
      assertThat(sim.runUntil(() -> sim.appliedCount(b) == 2, 2_000)).isTrue();
      // Two election timeouts: at least one check-quorum round has passed without a word from it.
      sim.runFor(4_000);
      assertThat(sim.runUntil(() -> l.core.status().progress().get(live).recentActive(), 1_000)).isTrue();

      RaftStatus s2 = l.core.status();
      assertThat(s2.role()).isEqualTo(Role.LEADER);
      assertThat(s2.term()).isEqualTo(term);
      assertThat(s2.commit()).isEqualTo(b);
      assertThat(s2.progress().get(live))
          .isEqualTo(new FollowerProgress(b, b + 1, ProgressState.REPLICATE, true, false, 0, 0, 0));
      // The one append that carried b is out and unanswered: b's bytes are in flight.
      long bBytes = new Entry(term, b, EntryType.NORMAL, cmd).size();
      assertThat(s2.progress().get(cut))
          .isEqualTo(new FollowerProgress(a, b + 1, ProgressState.REPLICATE, false, false, 1, bBytes, 0));
      assertThat(s2.inflightBytes()).isEqualTo(bBytes);
      // The cut-off node asks for pre-votes that never arrive: no leader, and (pre-vote) the same term.
      RaftStatus cs = sim.node(cut).core.status();
      assertThat(cs.role()).isEqualTo(Role.PRE_CANDIDATE);
      assertThat(cs.leader()).isEqualTo(RaftCore.NONE);
      assertThat(cs.term()).isEqualTo(term);
      assertThat(cs.commit()).isEqualTo(a);
      assertThat(cs.lastIndex()).isEqualTo(a);

      // Back on the network: it follows the same leader and catches up.
      sim.heal();
      assertThat(sim.runUntil(() -> {
        FollowerProgress p = l.core.status().progress().get(cut);
        return p.match() == b && p.state() == ProgressState.REPLICATE && p.recentActive()
            && sim.node(cut).core.status().leader() == l.id;
      }, 3_000)).isTrue();
      assertThat(l.core.status().progress().get(cut))
          .isEqualTo(new FollowerProgress(b, b + 1, ProgressState.REPLICATE, true, false, 0, 0, 0));
      assertThat(sim.node(cut).core.status().role()).isEqualTo(Role.FOLLOWER);
      assertThat(sim.node(cut).core.status().term()).isEqualTo(term);
    });
  }

  @Test
  void aFollowerBehindTheCompactionPointIsShownReceivingTheSnapshot() {
    Seeds.run(CLASS, "aFollowerBehindTheCompactionPointIsShownReceivingTheSnapshot", 100, seed -> {
      SimCluster sim = new SimCluster(seed, 3, SimCluster.Options.reliable().withSnapshotEvery(5));
      Map<Long, Recorder> recorders = new HashMap<>();
      for (SimCluster.Node n : sim.nodes.values()) {
        recorders.put(n.id, new Recorder());
        n.core.setEvents(recorders.get(n.id));
      }
      SimCluster.Node l = sim.awaitLeader(5_000);
      sim.one("a", 3);
      long cut = others(sim, l.id).get(1);
      sim.isolate(cut);
      for (int i = 0; i < 20; i++) {
        sim.one(i + "x".repeat(200), 2); // a snapshot of tens of 256-byte chunks: many round trips
      }
      assertThat(sim.leader()).isSameAs(l);
      long latest = l.core.snapshot().index();
      List<String> sentBefore = snapshotsSent(recorders.get(l.id), cut);
      FollowerProgress before = l.core.status().progress().get(cut);
      if (before.state() == ProgressState.SNAPSHOT) {
        // The leader compacted past the follower's next entry before it heard the follower acknowledge
        // it, and began sending that snapshot; the follower was cut off meanwhile. A transfer keeps its
        // snapshot, so the latest one must follow.
        assertThat(sentBefore).last().isEqualTo("snapshot to " + cut + " at " + before.pendingSnapshot());
        assertThat(before.pendingSnapshot()).isLessThan(latest);
      } else {
        assertThat(before.next()).isLessThan(l.core.firstIndex()); // its next entry is compacted away
      }

      sim.heal();
      assertThat(sim.runUntil(() -> l.core.status().progress().get(cut).pendingSnapshot() == latest, 2_000))
          .isTrue();
      FollowerProgress p = l.core.status().progress().get(cut);
      assertThat(p.state()).isEqualTo(ProgressState.SNAPSHOT);
      assertThat(p.inflightMessages()).isZero();
      assertThat(p.inflightBytes()).isZero();

      long last = l.core.lastIndex();
      assertThat(sim.runUntil(() -> {
        FollowerProgress q = l.core.status().progress().get(cut);
        return q.state() == ProgressState.REPLICATE && q.match() == last;
      }, 5_000)).isTrue();
      // Since the heal, exactly one transfer began: of the latest snapshot.
      List<String> expected = new ArrayList<>(sentBefore);
      expected.add("snapshot to " + cut + " at " + latest);
      assertThat(snapshotsSent(recorders.get(l.id), cut)).isEqualTo(expected);
      RaftStatus cs = sim.node(cut).core.status();
      assertThat(cs.snapshotIndex()).isEqualTo(latest);
      assertThat(cs.lastIndex()).isEqualTo(last);
      assertThat(cs.leader()).isEqualTo(l.id);
    });
  }

  private static List<String> snapshotsSent(Recorder r, long to) {
    return r.events.stream().filter(e -> e.startsWith("snapshot to " + to + " ")).toList();
  }

  @Test
  void askingForTheStatusChangesNothing() {
    for (long seed = 1; seed <= 20; seed++) {
      assertThat(run(seed, true)).as("seed %d", seed).isEqualTo(run(seed, false));
    }
  }

  /** A faulty run; with {@code ask}, every up node's status is taken every 10 virtual ms in between. */
  private static List<Object> run(long seed, boolean ask) {
    SimCluster sim = new SimCluster(seed, 5,
        SimCluster.Options.unreliable().withSnapshotEvery(7).withRestartAfterStep(0.01));
    SimCluster.Client c = sim.new Client(1);
    List<Object> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      c.append("k", "" + i, 5_000);
      if (i % 3 == 0) {
        sim.isolate(i % 5 + 1);
      } else {
        sim.heal();
      }
      if (ask) {
        sim.runUntil(() -> {
          for (SimCluster.Node n : sim.nodes.values()) {
            if (n.up) {
              n.core.status();
            }
          }
          return false;
        }, 500);
      } else {
        sim.runFor(500);
      }
    }
    List<Object> fingerprint = new ArrayList<>();
    fingerprint.add(sim.now);
    fingerprint.add(sim.messages);
    fingerprint.add(new ArrayList<>(sim.appliedEntries.values()));
    for (SimCluster.Node n : sim.nodes.values()) {
      fingerprint.add(n.up ? n.core.status() : "down");
    }
    return fingerprint;
  }

  static List<Long> others(SimCluster sim, long id) {
    List<Long> ids = new ArrayList<>(sim.nodes.keySet());
    ids.remove(id);
    return ids;
  }

  /** The core's events as short strings, in order. */
  static final class Recorder implements RaftEvents {
    final List<String> events = new ArrayList<>();

    @Override
    public void electionStarted(long term, boolean preVote, boolean transfer) {
      events.add("start " + term + (preVote ? " pre-vote" : " vote") + (transfer ? " transfer" : ""));
    }

    @Override
    public void electionLost(long term, boolean preVote) {
      events.add("lost " + term + (preVote ? " pre-vote" : " vote"));
    }

    @Override
    public void electionWon(long term) {
      events.add("won " + term);
    }

    @Override
    public void steppedDown(long term, StepDown reason) {
      events.add("down " + term + " " + reason);
    }

    @Override
    public void snapshotSendStarted(long to, Snapshot snapshot) {
      events.add("snapshot to " + to + " at " + snapshot.index());
    }
  }
}
