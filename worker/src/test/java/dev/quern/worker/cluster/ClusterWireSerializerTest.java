package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.MasterHello;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.NotSerializableException;
import java.util.Map;
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
        new Heartbeat("w2", "127.0.0.1:4001", 2, 2, List.of(), 7, false, worker.getRef(),
            "127.0.0.1:41234"),
        new MasterHello("m2", "127.0.0.1:8001"),
        new Accepted(7, "m2", master.getRef()),
        new NotLeader("m1", 7, "", ""));
    for (Object m : messages) {
      assertEquals(m, roundTrip(m));
    }
  }

  @Test
  void logsAndExecutorMessagesSurviveTheWire() throws NotSerializableException {
    TestProbe<ClusterWire.ToWorker> worker = kit.createTestProbe();
    TestProbe<ClusterWire.ToMaster> master = kit.createTestProbe();
    Heartbeat h = new Heartbeat("w1", "127.0.0.1:4000", 4, 2, List.of("job-0002/m-00001/1"), 7,
        false, worker.getRef(), "127.0.0.1:41234", List.of(
            new ClusterWire.ExecutorReport("job-0002", 4242, "1g", 1_700_000_000_000L, 2, 1),
            new ClusterWire.ExecutorReport("job-0003", 4343, "512m", 1_700_000_000_001L, 0, 3)));
    assertEquals(h, roundTrip(h));
    ClusterWire.FetchLogs f = new ClusterWire.FetchLogs("job-0002", "m-00001_1", "stderr",
        131_072, 65_536, master.getRef());
    assertEquals(f, roundTrip(f));
    assertEquals("FL1", serializer.manifest(f));
    byte[] bytes = new byte[128 * 1024];
    new java.util.Random(7).nextBytes(bytes);
    ClusterWire.LogChunk c = (ClusterWire.LogChunk) roundTrip(new ClusterWire.LogChunk("w1", "OK",
        "", 400_000, 131_072, bytes));
    assertEquals("OK", c.status());
    assertEquals(400_000, c.size());
    assertEquals(131_072, c.offset());
    org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, c.bytes());
    ClusterWire.LogChunk gone = (ClusterWire.LogChunk) roundTrip(new ClusterWire.LogChunk("w1",
        "EXPIRED", "expired", 0, 0, null));
    assertEquals("expired", gone.message());
    assertEquals(0, gone.bytes().length);
    // A heartbeat from a worker that predates executors (no list after its http) still reads.
    byte[] old = serializer.toBinary(new Heartbeat("w2", "h:1", 1, 1, List.of(), 0, false,
        worker.getRef(), "h:2"));
    byte[] cut = java.util.Arrays.copyOf(old, old.length - 4); // without the empty list's size
    assertEquals(List.of(), ((Heartbeat) serializer.fromBinary(cut, "H")).executors());
  }

  @Test
  void everyAttemptMessageSurvivesTheWire() throws NotSerializableException {
    TestProbe<ClusterWire.ToWorker> worker = kit.createTestProbe();
    JobSpec job = Job.builder("wc").input("/in/a").output("/out")
        .mapper(TestMapper.class).mapOutput(String.class, Long.class).reduceTasks(2)
        .set("quern.x", "1").build().spec();
    TaskAttemptId map = new TaskAttemptId("job-0003", TaskKind.MAP, 4, 7);
    TaskAttemptId reduce = new TaskAttemptId("job-0003", TaskKind.REDUCE, 1, 2);
    MapOutputRef out = new MapOutputRef(4, map, "127.0.0.1:41234", "/d/file.out", "/d/file.idx");
    Counters counters = Counters.of(Map.of("g", Map.of("a", 3L, "b", -1L)));
    String longTrace = "x".repeat(70_000); // beyond writeUTF's limit
    List<Object> messages = List.of(
        new ClusterWire.RunAttempt(3, "m1", new MapTaskSpec(map, job,
            new FileSplit("/in/a", 10, 20, List.of("h1")), "/s/m", "/o/m")),
        new ClusterWire.RunAttempt(3, "m1", new ReduceTaskSpec(reduce, job, 1,
            List.of(out, out), "/s/r", "/o/r")),
        // Slow start: a reduce of 5 maps that starts with one map's output.
        new ClusterWire.RunAttempt(3, "m1", new ReduceTaskSpec(reduce, job, 1,
            List.of(out), "/s/r", "/o/r", 5)),
        new ClusterWire.MapOutputsChanged(3, "m1", reduce, List.of(out), List.of(map)),
        new ClusterWire.MapOutputsChanged(3, "m1", reduce, List.of(), List.of()),
        new ClusterWire.KillAttempt(3, "m1", map, "job killed"),
        new ClusterWire.JobEnded(3, "m1", "job-0007"),
        new ClusterWire.MasterDirectory(3, "m1", List.of("127.0.0.1:8101", "127.0.0.1:8102")),
        // With the members' Artery addresses: what the workers heartbeat besides --masters.
        new ClusterWire.MasterDirectory(3, "m1", List.of("127.0.0.1:8101"),
            List.of("127.0.0.1:7101", "127.0.0.1:7104")),
        new ClusterWire.CommitAnswer(3, "m1", reduce, false, "another attempt holds it"),
        new ClusterWire.CommitAnswer(3, "m1", reduce, true, null),
        new ClusterWire.AttemptProgress("w1", map, 0.25f),
        new ClusterWire.AttemptDone("w1", map, counters, out),
        new ClusterWire.AttemptDone("w1", reduce, counters, null),
        new ClusterWire.AttemptFailed("w1", reduce, "fetch failed", longTrace, out),
        new ClusterWire.AttemptFailed("w1", map, "boom", null, null),
        new ClusterWire.AttemptKilled("w1", map, "no free slot"),
        new ClusterWire.CanCommit("w1", reduce, worker.getRef()));
    for (Object m : messages) {
      Object back = roundTrip(m);
      if (m instanceof ClusterWire.AttemptDone d) {
        ClusterWire.AttemptDone b = (ClusterWire.AttemptDone) back;
        assertEquals(d.counters().asMap(), b.counters().asMap());
        assertEquals(d.mapOutput(), b.mapOutput());
        assertEquals(d.attempt(), b.attempt());
      } else {
        assertEquals(m, back);
      }
    }
    assertEquals("RA1", serializer.manifest(messages.get(0)));
    assertEquals("MO1", serializer.manifest(messages.get(3)));
    ReduceTaskSpec early = (ReduceTaskSpec) ((ClusterWire.RunAttempt) roundTrip(messages.get(2)))
        .task();
    assertEquals(5, early.mapCount());
    assertEquals(false, early.complete());
  }

  @Test
  void refusesATruncatedAttemptMessage() {
    byte[] ok = serializer.toBinary(new ClusterWire.KillAttempt(3, "m1",
        new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1), "r"));
    byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 3);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, "KA1"));
  }

  public static class TestMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
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
