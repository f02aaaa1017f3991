package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.MasterHello;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterWireSerializerTest {
  private static ActorTestKit kit;
  private static ClusterWireSerializer serializer;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
    serializer = new ClusterWireSerializer(
        (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Object roundTrip(Object message) throws NotSerializableException {
    return serializer.fromBinary(serializer.toBinary(message), serializer.manifest(message));
  }

  @Test
  void everyMessageSurvivesTheWire() throws NotSerializableException {
    TestProbe<ClusterWire.ToWorker> worker = kit.createTestProbe();
    TestProbe<ClusterWire.ToMaster> master = kit.createTestProbe();
    List<Object> messages = List.of(
        new Heartbeat("w1", "127.0.0.1:4000", 4, 3, List.of("job-1/m-0/a-0"), 7, true,
            worker.getRef()),
        new MasterHello("m2", "127.0.0.1:8001"),
        new Accepted(7, "m2", master.getRef()),
        new NotLeader("m1", 7, "", ""));
    for (Object m : messages) {
      assertEquals(m, roundTrip(m));
    }
  }

  @Test
  void refusesAnUnknownManifest() {
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[4], "X"));
  }

  @Test
  void refusesAnAbsurdListSize() {
    byte[] ok = serializer.toBinary(new Heartbeat("w", "h:1", 1, 1, List.of(), 0, false,
        kit.<ClusterWire.ToWorker>createTestProbe().getRef()));
    // The list size follows the two strings and two ints: overwrite it with -1.
    int at = 2 + 1 + 2 + 3 + 4 + 4;
    ok[at] = (byte) 0xff;
    ok[at + 1] = (byte) 0xff;
    ok[at + 2] = (byte) 0xff;
    ok[at + 3] = (byte) 0xff;
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(ok, "H"));
  }
}
