package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.Message;
import dev.quern.raft.RaftConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Followers forward proposals and reads to the leader ({@link RaftNodeActor.Propose} and
 * {@link RaftNodeActor.Read} sent to any node), over Artery. The state machine is a plain
 * {@link TextLog} (no dedup), so a command applied twice would show twice.
 */
class RaftForwardingTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private final ArteryNodes artery = new ArteryNodes();

  @AfterEach
  void shutdown() {
    artery.close();
  }

  /** Three real nodes, founders of {1, 2, 3}. */
  private Map<Long, ActorRef<RaftNodeActor.Command>> threeNodes() {
    Map<Long, ActorTestKit> kitOf = new HashMap<>();
    Map<Long, String> paths = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      ActorTestKit kit = artery.newSystem();
      kitOf.put(id, kit);
      paths.put(id, ArteryNodes.raftPath(kit));
    }
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = new HashMap<>();
    for (long id = 1; id <= 3; id++) {
      Map<Long, String> peers = new HashMap<>(paths);
      peers.remove(id);
      var settings = new RaftNodeActor.Settings(RaftConfig.defaults(id), Duration.ofMillis(50), peers,
          List.of(1L, 2L, 3L), id, 0);
      nodes.put(id, kitOf.get(id).spawn(RaftNodeActor.create(settings, InMemoryRaftPersistence::new, TextLog::new,
          (message, cause) -> {
            throw new AssertionError("fatal: " + message, cause);
          }), "raft"));
    }
    return nodes;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int occurrences(String text, String token) {
    Matcher m = Pattern.compile("(^|;)" + Pattern.quote(token) + ";").matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private String readAt(ActorRef<RaftNodeActor.Command> node) {
    TestProbe<RaftNodeActor.ReadReply> probe = artery.kits.get(0).createTestProbe();
    node.tell(new RaftNodeActor.Read(sm -> sm.snapshot(), probe.ref()));
    return new String(probe.expectMessageClass(RaftNodeActor.ReadResult.class, BOUND).value(), StandardCharsets.UTF_8);
  }

  @Test
  void proposalsAtFollowersCommitOnceAndAreAnsweredWithTheirResult() {
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = threeNodes();
    long leader = artery.awaitLeader(nodes, 0);
    // Let both followers learn the leader (a forward needs a known leader; NotLeader otherwise).
    artery.awaitApplied(nodes, artery.propose(nodes, bytes("start")).index());
    TestProbe<RaftNodeActor.ProposeReply> probe = artery.kits.get(0).createTestProbe();
    int sent = 0;
    for (int round = 0; round < 5; round++) {
      for (long f = 1; f <= 3; f++) {
        if (f == leader) {
          continue;
        }
        String token = "fwd-" + f + "-" + round;
        nodes.get(f).tell(new RaftNodeActor.Propose(bytes(token), probe.ref()));
        RaftNodeActor.Applied applied = probe.expectMessageClass(RaftNodeActor.Applied.class, BOUND);
        String result = new String(applied.result(), StandardCharsets.UTF_8);
        // The follower's own state machine answered: the whole log up to the command, which is last.
        assertThat(result).endsWith(";" + token + ";");
        assertThat(occurrences(result, token)).isEqualTo(1);
        sent++;
      }
    }
    assertThat(artery.awaitLeader(nodes, 0)).as("no leader change in this test").isEqualTo(leader);
    String atLeader = readAt(nodes.get(leader));
    for (int round = 0; round < 5; round++) {
      for (long f = 1; f <= 3; f++) {
        if (f != leader) {
          assertThat(occurrences(atLeader, "fwd-" + f + "-" + round)).as("fwd-%s-%s applied once", f, round)
              .isEqualTo(1);
        }
      }
    }
    assertThat(atLeader.split(";")).hasSize(1 + sent);
  }

  @Test
  void aReadAtAFollowerSeesAWriteAcknowledgedJustBeforeAtTheLeader() {
    Map<Long, ActorRef<RaftNodeActor.Command>> nodes = threeNodes();
    TestProbe<RaftNodeActor.ProposeReply> writes = artery.kits.get(0).createTestProbe();
    TestProbe<RaftNodeActor.ReadReply> reads = artery.kits.get(0).createTestProbe();
    artery.awaitApplied(nodes, artery.propose(nodes, bytes("start")).index());
    for (int i = 0; i < 20; i++) {
      long leader = artery.awaitLeader(nodes, 0);
      String token = "w" + i;
      nodes.get(leader).tell(new RaftNodeActor.Propose(bytes(token), writes.ref()));
      RaftNodeActor.Applied applied = writes.expectMessageClass(RaftNodeActor.Applied.class, BOUND);
      long follower = List.of(1L, 2L, 3L).stream().filter(id -> id != leader).toList().get(i % 2);
      nodes.get(follower).tell(new RaftNodeActor.Read(sm -> sm.snapshot(), reads.ref()));
      RaftNodeActor.ReadResult read = reads.expectMessageClass(RaftNodeActor.ReadResult.class, BOUND);
      assertThat(read.index()).isGreaterThanOrEqualTo(applied.index());
      assertThat(occurrences(new String(read.value(), StandardCharsets.UTF_8), token))
          .as("read %d at follower %d sees %s", i, follower, token).isEqualTo(1);
    }
  }

  /**
   * The leaders are test probes in another actor system, so the test decides what each says: node 2
   * forwards to leader 1, which answers that it appended the command at index 5 (term 2) and sends it;
   * then leader 3 (term 3) puts another command at index 5 and commits it. Node 2 applies that one:
   * it must answer Dropped, not Applied. A forward that gets no answer before the leader changes is
   * Dropped(0); one the leader refuses is RetryLater; with forwarding off, NotLeader.
   */
  @Test
  void aLeaderChangeDuringAForwardedProposalNeverGivesAFalseApplied() {
    ActorTestKit nodeSystem = artery.newSystem();
    ActorTestKit leaders = artery.newSystem();
    TestProbe<RaftNodeActor.Command> one = leaders.createTestProbe();
    TestProbe<RaftNodeActor.Command> three = leaders.createTestProbe();
    ActorRefResolver resolver = ActorRefResolver.get(leaders.system());
    Map<Long, String> peers = Map.of(1L, resolver.toSerializationFormat(one.ref()),
        3L, resolver.toSerializationFormat(three.ref()));
    // Ticks of 100 ms: the probes speak before node 2's election timeout (1-2 s), heartbeats on each step.
    var settings = new RaftNodeActor.Settings(RaftConfig.defaults(2), Duration.ofMillis(100), peers,
        List.of(1L, 2L, 3L), 2, 0);
    ActorRef<RaftNodeActor.Command> two = nodeSystem.spawn(RaftNodeActor.create(settings,
        InMemoryRaftPersistence::new, TextLog::new, (message, cause) -> {
          throw new AssertionError("fatal: " + message, cause);
        }), "raft");
    TestProbe<RaftNodeActor.ProposeReply> client = nodeSystem.createTestProbe();

    // Leader 1, term 2: its no-op at 4 after the three founding entries.
    two.tell(inbound(new Message.AppendEntries(1, 2, 2, 3, 1, List.of(new Entry(2, 4, EntryType.NO_OP, new byte[0])), 4)));
    assertThat(next(one, Message.AppendResponse.class).index()).isEqualTo(4);

    two.tell(new RaftNodeActor.Propose(bytes("X"), client.ref()));
    Message.Propose forwarded = next(one, Message.Propose.class);
    assertThat(forwarded.id()).isNotZero();
    assertThat(new String(forwarded.command(), StandardCharsets.UTF_8)).isEqualTo("X");
    two.tell(inbound(new Message.ProposeResponse(1, 2, 2, forwarded.id(), 5)));
    two.tell(inbound(new Message.AppendEntries(1, 2, 2, 4, 2, List.of(new Entry(2, 5, EntryType.NORMAL, bytes("X"))), 4)));
    assertThat(next(one, Message.AppendResponse.class).index()).isEqualTo(5);
    client.expectNoMessage(Duration.ofMillis(200)); // appended, not committed: no answer yet

    // Leader 3, term 3, replaces index 5 with another command and commits it.
    two.tell(inbound(new Message.AppendEntries(3, 2, 3, 4, 2, List.of(new Entry(3, 5, EntryType.NORMAL, bytes("Y"))), 5)));
    assertThat(next(three, Message.AppendResponse.class).index()).isEqualTo(5);
    assertThat(client.expectMessageClass(RaftNodeActor.Dropped.class, BOUND)).isEqualTo(new RaftNodeActor.Dropped(5));

    // Forwarded to leader 3, which never answers; leader 1 takes over at term 4: Dropped(0).
    two.tell(new RaftNodeActor.Propose(bytes("Z"), client.ref()));
    next(three, Message.Propose.class);
    two.tell(inbound(new Message.Heartbeat(1, 2, 4, 5, 0)));
    assertThat(client.expectMessageClass(RaftNodeActor.Dropped.class, BOUND)).isEqualTo(new RaftNodeActor.Dropped(0));

    // Leader 1 refuses a forward (say, a transfer under way): RetryLater.
    two.tell(new RaftNodeActor.Propose(bytes("W"), client.ref()));
    Message.Propose refused = next(one, Message.Propose.class);
    two.tell(inbound(new Message.ProposeResponse(1, 2, 4, refused.id(), 0)));
    assertThat(client.expectMessageClass(RaftNodeActor.RetryLater.class, BOUND).reason()).contains("did not take");

    // The applied log holds only what the leaders committed: Y at 5, never X.
    TestProbe<RaftNodeActor.ReadReply> reads = nodeSystem.createTestProbe();
    two.tell(new RaftNodeActor.Read(sm -> sm.snapshot(), reads.ref()));
    Message.ReadIndexRequest ri = next(one, Message.ReadIndexRequest.class);
    two.tell(inbound(new Message.ReadIndexResponse(1, 2, 4, ri.context(), 5)));
    assertThat(new String(reads.expectMessageClass(RaftNodeActor.ReadResult.class, BOUND).value(),
        StandardCharsets.UTF_8)).isEqualTo("Y;");

    // With forwarding off, a follower that knows its leader still answers NotLeader(leader).
    var noForwarding = new RaftNodeActor.Settings(RaftConfig.builder(2).forwardToLeader(false).build(),
        Duration.ofMillis(100), peers, List.of(1L, 2L, 3L), 2, 0);
    ActorRef<RaftNodeActor.Command> off = nodeSystem.spawn(RaftNodeActor.create(noForwarding,
        InMemoryRaftPersistence::new, TextLog::new, (message, cause) -> {
          throw new AssertionError("fatal: " + message, cause);
        }), "raft-no-forwarding");
    off.tell(inbound(new Message.Heartbeat(1, 2, 2, 3, 0)));
    off.tell(new RaftNodeActor.Propose(bytes("V"), client.ref()));
    assertThat(client.expectMessageClass(RaftNodeActor.NotLeader.class, BOUND)).isEqualTo(new RaftNodeActor.NotLeader(1));
    off.tell(new RaftNodeActor.Read(sm -> sm.snapshot(), reads.ref()));
    assertThat(reads.expectMessageClass(RaftNodeActor.NotLeader.class, BOUND)).isEqualTo(new RaftNodeActor.NotLeader(1));
  }

  private static RaftNodeActor.Inbound inbound(Message m) {
    return new RaftNodeActor.Inbound(m);
  }

  /** The next message of {@code type} node 2 sent to {@code peer}, skipping others (answers to heartbeats, votes). */
  private static <T extends Message> T next(TestProbe<RaftNodeActor.Command> peer, Class<T> type) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      Message m = ((RaftNodeActor.Inbound) peer.receiveMessage(BOUND)).message();
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + BOUND);
  }
}
