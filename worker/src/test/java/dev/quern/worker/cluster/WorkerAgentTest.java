package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.Refused;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker agent against a stand-in master over Artery (two actor systems in this JVM): it
 * registers, heartbeats the leader that accepted it, refuses a deposed leader's message and one
 * from a second leader of the same term (answering {@link Refused}), follows a newer leader, and
 * goes back to its list of masters when the leader falls silent.
 */
class WorkerAgentTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ActorSystem<Void> masters;
  private ActorTestKit kit;
  private ActorSystem<Object> worker;
  private final AtomicReference<WorkerAgent.Link> link = new AtomicReference<>();

  @BeforeEach
  void start() {
    AtomicReference<ActorRef<Object>> sink = new AtomicReference<>();
    // Stands in for /user/cluster of a master: hands whatever arrives to the test's probe.
    masters = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(Behaviors.receive(Object.class).onAnyMessage(m -> {
        sink.get().tell(m);
        return Behaviors.same();
      }).build(), WorkerAgent.MASTER_ACTOR);
      return Behaviors.empty();
    }), WorkerAgent.MASTER_SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
    kit = ActorTestKit.create(masters);
    front = kit.createTestProbe();
    sink.set(front.getRef());
    String master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    worker = ActorSystem.create(WorkerAgent.create(new WorkerAgent.Settings("w1", "127.0.0.1:1", 3,
        List.of(master), Duration.ofMillis(100), Duration.ofSeconds(3)), link),
        WorkerProcess.SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
  }

  private TestProbe<Object> front;

  @AfterEach
  void stop() {
    worker.terminate();
    worker.getWhenTerminated().toCompletableFuture().join();
    kit.shutdownTestKit();
  }

  @Test
  void followsTheNewestLeaderAndRefusesDeposedOnes() {
    Heartbeat first = front.expectMessageClass(Heartbeat.class, WAIT);
    assertTrue(first.registering());
    assertEquals(0, first.seenTerm());
    assertEquals(List.of("w1", 3, 3), List.of(first.workerId(), first.slots(), first.freeSlots()));

    TestProbe<ToMaster> m2 = kit.createTestProbe();
    first.replyTo().tell(new Accepted(5, "m2", m2.getRef()));
    Heartbeat toM2 = m2.expectMessageClass(Heartbeat.class, WAIT);
    assertFalse(toM2.registering());
    assertEquals(5, toM2.seenTerm());
    assertEquals(new WorkerAgent.Link("m2", 5, true), link.get());

    // A deposed leader (term 4), then an impostor claiming m2's term: both refused, with the news.
    TestProbe<ToMaster> stale = kit.createTestProbe();
    toM2.replyTo().tell(new Accepted(4, "m1", stale.getRef()));
    assertEquals(new Refused("w1", 5, "m2"), stale.expectMessageClass(Refused.class, WAIT));
    toM2.replyTo().tell(new Accepted(5, "m9", stale.getRef()));
    assertEquals(new Refused("w1", 5, "m2"), stale.expectMessageClass(Refused.class, WAIT));
    // Still m2's (the refusals were sent after the link was checked, and left it alone).
    assertEquals(new WorkerAgent.Link("m2", 5, true), link.get());
    Heartbeat still = m2.expectMessageClass(Heartbeat.class, WAIT);
    assertEquals(5, still.seenTerm());

    // A newer leader takes over.
    TestProbe<ToMaster> m3 = kit.createTestProbe();
    still.replyTo().tell(new Accepted(6, "m3", m3.getRef()));
    Heartbeat toM3 = m3.expectMessageClass(Heartbeat.class, WAIT);
    assertEquals(6, toM3.seenTerm());

    // m3 falls silent: after the leader timeout the worker asks its masters again (the front
    // still holds the registrations it sent before m2 first answered: skip those).
    // Heartbeats it sends the other masters now and then while it follows m3 are not that.
    List<Object> fished = front.fishForMessage(WAIT, m -> m instanceof Heartbeat h && h.seenTerm() == 6
        && h.registering() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    Heartbeat again = (Heartbeat) fished.get(fished.size() - 1);
    assertTrue(again.registering());
    assertFalse(link.get().registered());
  }

  @Test
  void registersWithANewerLeaderThatNamesItselfWithoutWaitingOutTheOld() {
    // A worker whose leader timeout never passes in this test: only the news can move it.
    worker.terminate();
    worker.getWhenTerminated().toCompletableFuture().join();
    String master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    worker = ActorSystem.create(WorkerAgent.create(new WorkerAgent.Settings("w2", "127.0.0.1:1", 3,
        List.of(master), Duration.ofMillis(100), Duration.ofHours(1)), link),
        WorkerProcess.SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
    Heartbeat first = fishW2(h -> h.registering());
    TestProbe<ToMaster> m2 = kit.createTestProbe();
    first.replyTo().tell(new Accepted(5, "m2", m2.getRef()));
    Heartbeat toM2 = m2.expectMessageClass(Heartbeat.class, WAIT);
    // Following m2, it heartbeats its list of masters too now and then (they learn of it).
    Heartbeat toOthers = fishW2(h -> !h.registering() && h.seenTerm() == 5);
    // A master that names m2 (or no one) in m2's term changes nothing...
    toOthers.replyTo().tell(new ClusterWire.NotLeader("m1", 5, "m2", "127.0.0.1:9"));
    toOthers.replyTo().tell(new ClusterWire.NotLeader("m1", 5, "", ""));
    m2.expectMessageClass(Heartbeat.class, WAIT);
    assertEquals(new WorkerAgent.Link("m2", 5, true), link.get());
    // ...m3 elected in term 6, naming itself, has the worker register with it at once.
    toM2.replyTo().tell(new ClusterWire.NotLeader("m3", 6, "m3", master));
    Heartbeat toM3 = fishW2(h -> h.registering());
    assertEquals(5, toM3.seenTerm());
    TestProbe<ToMaster> m3 = kit.createTestProbe();
    toM3.replyTo().tell(new Accepted(6, "m3", m3.getRef()));
    assertEquals(6, m3.expectMessageClass(Heartbeat.class, WAIT).seenTerm());
    assertEquals(new WorkerAgent.Link("m3", 6, true), link.get());
  }

  /** The next heartbeat of worker w2 at the front that {@code test} accepts. */
  private Heartbeat fishW2(java.util.function.Predicate<Heartbeat> test) {
    List<Object> fished = front.fishForMessage(WAIT, m -> m instanceof Heartbeat h
        && h.workerId().equals("w2") && test.test(h) ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    return (Heartbeat) fished.get(fished.size() - 1);
  }
}
