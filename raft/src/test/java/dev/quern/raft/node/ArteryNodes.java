package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.quern.raft.ClientResult;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The actor tests' setup: Raft nodes in actor systems of their own on 127.0.0.1 (Artery TCP, a free
 * port each, the Raft serializer bound), and bounded waits on what the nodes report. Close it to
 * shut every system down.
 */
final class ArteryNodes implements AutoCloseable {

  /** Every actor system started through this object (a test may stop one and remove it). */
  final List<ActorTestKit> kits = new ArrayList<>();

  static Config config() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serializers.raft-kryo = "dev.quern.raft.node.RaftKryoSerializer"
        pekko.actor.serialization-bindings { "dev.quern.raft.node.RaftWire" = raft-kryo }
        pekko.remote.warn-about-direct-use = off
        pekko.remote.warn-unsafe-watch-outside-cluster = off
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.load());
  }

  /** A new actor system named "master" on a free port. */
  ActorTestKit newSystem() {
    ActorTestKit kit = ActorTestKit.create("master", config());
    kits.add(kit);
    return kit;
  }

  /** The path a node spawned as "raft" in {@code kit} has, as a peer names it. */
  static String raftPath(ActorTestKit kit) {
    return kit.system().address() + "/user/raft";
  }

  /** Stops one system (its node goes away as a crashed process would) and forgets it. */
  void stop(ActorTestKit kit) {
    kit.shutdownTestKit();
    kits.remove(kit);
  }

  @Override
  public void close() {
    for (ActorTestKit kit : kits) {
      kit.shutdownTestKit();
    }
    kits.clear();
  }

  /** Proposes at the current leader until the command is applied (a retry is deduplicated). */
  RaftNodeActor.Applied propose(Map<Long, ActorRef<RaftNodeActor.Command>> nodes, byte[] command) {
    TestProbe<RaftNodeActor.ProposeReply> probe = kits.get(0).createTestProbe();
    for (int attempt = 0; attempt < 10; attempt++) {
      nodes.get(awaitLeader(nodes, 0)).tell(new RaftNodeActor.Propose(command, probe.ref()));
      RaftNodeActor.ProposeReply reply = probe.receiveMessage(Duration.ofSeconds(10));
      if (reply instanceof RaftNodeActor.Applied a) {
        return a;
      }
    }
    throw new AssertionError("command not applied after 10 attempts");
  }

  RaftNodeActor.ReadResult read(Map<Long, ActorRef<RaftNodeActor.Command>> nodes) {
    TestProbe<RaftNodeActor.ReadReply> probe = kits.get(0).createTestProbe();
    for (int attempt = 0; attempt < 10; attempt++) {
      nodes.get(awaitLeader(nodes, 0)).tell(new RaftNodeActor.Read(sm -> sm.snapshot(), probe.ref()));
      if (probe.receiveMessage(Duration.ofSeconds(10)) instanceof RaftNodeActor.ReadResult r) {
        return r;
      }
    }
    throw new AssertionError("read not served after 10 attempts");
  }

  /** Polls the nodes' status until one of them follows a known leader; returns its id. */
  long awaitFollower(Map<Long, ActorRef<RaftNodeActor.Command>> nodes) {
    TestProbe<RaftNodeActor.Status> probe = kits.get(0).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(100), () -> {
      long found = 0;
      for (ActorRef<RaftNodeActor.Command> n : nodes.values()) {
        n.tell(new RaftNodeActor.GetStatus(probe.ref()));
        RaftNodeActor.Status s = probe.receiveMessage(Duration.ofSeconds(2));
        if (s.role() == Role.FOLLOWER && s.leader() != RaftCore.NONE) {
          found = s.id();
        }
      }
      assertThat(found).isPositive();
      return found;
    });
  }

  /** Polls the nodes' status until one of them (other than {@code not}) leads. */
  long awaitLeader(Map<Long, ActorRef<RaftNodeActor.Command>> nodes, long not) {
    TestProbe<RaftNodeActor.Status> probe = kits.get(0).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(100), () -> {
      long found = 0;
      for (ActorRef<RaftNodeActor.Command> n : nodes.values()) {
        n.tell(new RaftNodeActor.GetStatus(probe.ref()));
        RaftNodeActor.Status s = probe.receiveMessage(Duration.ofSeconds(2));
        if (s.role() == Role.LEADER && s.id() != not) {
          found = s.id();
        }
      }
      assertThat(found).isPositive();
      return found;
    });
  }

  void awaitApplied(Map<Long, ActorRef<RaftNodeActor.Command>> nodes, long index) {
    TestProbe<RaftNodeActor.Status> probe = kits.get(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
      for (ActorRef<RaftNodeActor.Command> n : nodes.values()) {
        n.tell(new RaftNodeActor.GetStatus(probe.ref()));
        assertThat(probe.receiveMessage(Duration.ofSeconds(2)).appliedIndex()).isGreaterThanOrEqualTo(index);
      }
      return null;
    });
  }

  /** The value a dedup'd command applied with (a refusal fails the test). */
  static String text(RaftNodeActor.Applied applied) {
    ClientResult r = ClientResult.decode(applied.result());
    assertThat(r).isInstanceOf(ClientResult.Done.class);
    return new String(((ClientResult.Done) r).value(), StandardCharsets.UTF_8);
  }
}
