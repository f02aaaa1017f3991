package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.ClientCommand;
import dev.quern.raft.ConfChange;
import dev.quern.raft.DedupStateMachine;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftStatus;
import dev.quern.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node added later is reachable without restarting anyone: its address travels in the
 * configuration entry that adds it. Three founders (each knowing only the others' addresses) run
 * over Artery; a fourth system starts, and one {@link RaftNodeActor.ChangeMembership} with its
 * address makes it a learner, which catches up (from a snapshot: the founders snapshot every 5
 * entries) and is promoted to voter. A command committed after the join is applied on all four; and
 * with one founder stopped the group still commits, which needs the new node's vote (3 of 4).
 */
class RaftNodeJoinTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private final ArteryNodes artery = new ArteryNodes();
  private final Map<Long, RaftMonitor> monitors = new HashMap<>();

  @AfterEach
  void shutdown() {
    artery.close();
  }

  private ActorRef<RaftNodeActor.Command> spawn(ActorTestKit kit, long id, Map<Long, String> peers,
                          List<Long> founders) {
    RaftMonitor monitor = new RaftMonitor();
    monitors.put(id, monitor);
    var settings = new RaftNodeActor.Settings(RaftConfig.defaults(id), Duration.ofMillis(50), peers, founders, id,
        5, monitor);
    return kit.spawn(RaftNodeActor.create(settings, InMemoryRaftPersistence::new,
        () -> new DedupStateMachine(new TextLog()), (message, cause) -> {
          throw new AssertionError("fatal: " + message, cause);
        }), "raft");
  }

  private RaftStatus status(long id) {
    return monitors.get(id).status().orElseThrow();
  }

  private static byte[] command(long seq, String text) {
    return new ClientCommand(1, seq, text.getBytes(StandardCharsets.UTF_8)).encode();
  }

  @Test
  void aNodeAddedWithItsAddressJoinsARunningGroupWithoutRestarts() {
    Map<Long, ActorTestKit> kitOf = new HashMap<>();
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 4; id++) {
      ActorTestKit kit = artery.newSystem();
      kitOf.put(id, kit);
      paths.put(id, ArteryNodes.raftPath(kit));
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> founders = new HashMap<>(paths);
      founders.remove(id);
      founders.remove(4L); // nobody is told where node 4 is, except by the configuration
      nodes.put(id, spawn(kitOf.get(id), id, founders, List.of(1L, 2L, 3L)));
    }
    long seq = 1;
    RaftNodeActor.Applied before = null;
    for (; seq <= 12; seq++) {
      before = artery.propose(nodes, command(seq, "b" + seq));
    }
    artery.awaitApplied(nodes, before.index());
    Await.until(BOUND, "a founder has compacted its log", () -> status(1).snapshotIndex() > 1);

    // Node 4 starts empty; it knows the founders' addresses so it can answer its first leader.
    Map<Long, String> foundersOnly = new HashMap<>(paths);
    foundersOnly.remove(4L);
    ActorRef<RaftNodeActor.Command> four = spawn(kitOf.get(4L), 4, foundersOnly, List.of());

    TestProbe<RaftNodeActor.ProposeReply> probe = artery.kits.get(0).createTestProbe();
    ConfChange add = new ConfChange(ConfChange.Type.ADD_LEARNER, 4, paths.get(4L));
    RaftNodeActor.Applied added = null;
    for (int attempt = 0; attempt < 10 && added == null; attempt++) {
      nodes.get(artery.awaitLeader(nodes, 0)).tell(new RaftNodeActor.ChangeMembership(add, probe.ref()));
      if (probe.receiveMessage(BOUND) instanceof RaftNodeActor.Applied a) {
        added = a;
      }
    }
    assertThat(added).as("the change was applied").isNotNull();

    // Caught up (from the leader's snapshot) and promoted by the leader: a voter on every node.
    Map<Long, ActorRef<RaftNodeActor.Command>> all = new HashMap<>(nodes);
    all.put(4L, four);
    Await.until(BOUND, "node 4 is a voter on all four nodes", () -> all.keySet().stream()
        .allMatch(id -> monitors.get(id).status().map(s -> s.voters().equals(List.of(1L, 2L, 3L, 4L))).orElse(false)));
    assertThat(status(4).snapshotIndex()).as("node 4 caught up from a snapshot").isPositive();

    // A command committed after the join is applied on all four, node 4's copy included.
    RaftNodeActor.Applied after = artery.propose(all, command(seq++, "after-join"));
    artery.awaitApplied(all, after.index());
    String expected = ArteryNodes.text(after);
    assertThat(expected).endsWith("b12;after-join;");
    TestProbe<RaftNodeActor.ReadReply> reads = artery.kits.get(0).createTestProbe();
    long afterSeq = seq - 1;
    four.tell(new RaftNodeActor.Read(sm -> ((DedupStateMachine) sm).lastSequence(1) == afterSeq ? sm.snapshot()
        : new byte[0], reads.ref()));
    assertThat(new String(reads.expectMessageClass(RaftNodeActor.ReadResult.class, BOUND).value(),
        StandardCharsets.UTF_8)).as("node 4's state machine").contains(expected);

    // Node 4 votes: with a founder that follows stopped, only 3 of the 4 voters remain, node 4 among them.
    long leader = artery.awaitLeader(all, 0);
    long stopped = leader == 1 ? 2 : 1;
    artery.stop(kitOf.get(stopped));
    all.remove(stopped);
    RaftNodeActor.Applied last = artery.propose(all, command(seq, "with-three-of-four"));
    artery.awaitApplied(all, last.index());
    assertThat(ArteryNodes.text(last)).isEqualTo(expected + "with-three-of-four;");
  }
}
