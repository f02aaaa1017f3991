package dev.quern.master.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the leading master (what SIGTERM does) hands leadership over: three real masters in one
 * JVM; when the leader's {@code close()} returns, another master leads the next term, by the
 * transfer's election (its leader history says so), and the masters' JSON shows the change.
 */
@Timeout(240)
class LeaderHandoffTest {
  static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;
  final InProcessMasters group = new InProcessMasters();

  @AfterEach
  void stop() {
    group.close();
  }

  @Test
  void closingTheLeaderHandsLeadershipToAFollowerInTheNextTerm() {
    group.start(tmp);
    String old = group.awaitLeader(BOUND);
    long oldTerm = group.masters.get(old).monitor().status().orElseThrow().term();

    // Every master answers for itself; any master lists them all.
    for (String m : group.masters.keySet()) {
      JsonNode page = group.getJson(group.httpOf.get(m), MastersRoutes.MASTERS).orElseThrow();
      assertEquals(m, page.path("servedBy").asText(), page::toString);
      assertEquals(3, page.path("masters").size(), page::toString);
      for (JsonNode e : page.path("masters")) {
        assertTrue(e.path("reachable").asBoolean(), page::toString);
        assertEquals(e.path("id").asText(), e.path("status").path("id").asText(), page::toString);
        assertEquals(group.httpOf.get(e.path("id").asText()), e.path("http").asText(),
            page::toString);
      }
    }

    MasterProcess leaving = group.masters.remove(old);
    leaving.close();
    // close() returned after the handoff: a follower leads (or has just won) the next term.
    Map.Entry<String, MasterProcess> next = Await.value(BOUND, "a leader among the others",
        () -> group.masters.entrySet().stream().filter(e -> e.getValue().monitor().status()
            .map(RaftStatus::isLeader).orElse(false)).findFirst().orElse(null));
    RaftMonitor monitor = next.getValue().monitor();
    assertEquals(oldTerm + 1, monitor.status().orElseThrow().term(),
        "one term later: the transfer's election, no election after a timeout");
    List<RaftMonitor.LeaderChange> seen = monitor.leaderChanges();
    RaftMonitor.LeaderChange last = seen.get(seen.size() - 1);
    assertEquals(oldTerm + 1, last.term(), seen::toString);
    assertEquals(next.getValue().raftId(), last.leader(), seen::toString);
    assertTrue(last.transfer(), seen::toString);
    // The leader before, as this master saw it: elected after a timeout when the group formed.
    RaftMonitor.LeaderChange before = seen.get(seen.size() - 2);
    assertEquals(oldTerm, before.term(), seen::toString);
    assertFalse(before.transfer(), seen::toString);

    JsonNode page = Await.value(BOUND, "the new leader's page with " + old + " unreachable",
        () -> group.getJson(group.httpOf.get(next.getKey()), MastersRoutes.MASTERS)
            .filter(p -> {
              for (JsonNode e : p.path("masters")) {
                if (e.path("id").asText().equals(old) == e.path("reachable").asBoolean()) {
                  return false;
                }
                if (e.path("reachable").asBoolean() && !e.path("status").path("leaderId")
                    .asText().equals(next.getKey())) {
                  return false;
                }
              }
              return true;
            }).orElse(null));
    JsonNode mine = group.getJson(group.httpOf.get(next.getKey()), MastersRoutes.MASTER)
        .orElseThrow();
    assertEquals("LEADER", mine.path("role").asText(), mine::toString);
    JsonNode changes = mine.path("leaderChanges");
    JsonNode change = changes.get(changes.size() - 1);
    assertEquals(next.getKey(), change.path("leaderId").asText(), mine::toString);
    assertTrue(change.path("transfer").asBoolean(), mine::toString);
    assertFalse(page.toString().isEmpty());
  }

  /** The handoff's target: a voter heard from lately with the most of the log, lowest id on a tie. */
  @Test
  void theTargetIsTheMostUpToDateVoterHeardFromLately() {
    RaftStatus.FollowerProgress behind = progress(7, true, false);
    RaftStatus.FollowerProgress ahead = progress(9, true, false);
    RaftStatus.FollowerProgress silent = progress(10, false, false);
    RaftStatus.FollowerProgress learner = progress(10, true, true);
    assertEquals(3, LeaderHandoff.target(status(List.of(1L, 2L, 3L, 4L), List.of(5L),
        Map.of(2L, behind, 3L, ahead, 4L, silent, 5L, learner))));
    assertEquals(2, LeaderHandoff.target(status(List.of(1L, 2L, 3L), List.of(),
        Map.of(2L, ahead, 3L, ahead))));
    assertEquals(dev.quern.raft.RaftCore.NONE, LeaderHandoff.target(status(List.of(1L, 2L),
        List.of(), Map.of(2L, silent))));
  }

  private static RaftStatus.FollowerProgress progress(long match, boolean active,
      boolean learner) {
    return new RaftStatus.FollowerProgress(match, match + 1,
        RaftStatus.ProgressState.REPLICATE, active, learner, 0, 0, 0);
  }

  private static RaftStatus status(List<Long> voters, List<Long> learners,
      Map<Long, RaftStatus.FollowerProgress> progress) {
    return new RaftStatus(1, 5, 1, dev.quern.raft.Role.LEADER, 1, 10, 10, 10, 0, voters,
        learners, dev.quern.raft.RaftCore.NONE, new java.util.TreeMap<>(progress));
  }

  @Test
  void aFollowerThatClosesLeavesTheLeaderAsItWas() {
    group.start(tmp);
    String leader = group.awaitLeader(BOUND);
    long term = group.masters.get(leader).monitor().status().orElseThrow().term();
    String follower = group.masters.keySet().stream().filter(m -> !m.equals(leader)).findFirst()
        .orElseThrow();
    group.masters.remove(follower).close();
    RaftStatus s = group.masters.get(leader).monitor().status().orElseThrow();
    assertTrue(s.isLeader(), s::toString);
    assertEquals(term, s.term(), s::toString);
  }
}
