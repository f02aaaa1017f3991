package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.CanCommit;
import dev.quern.worker.cluster.ClusterWire.CommitAnswer;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.testkit.Await;
import dev.quern.worker.testjobs.TestJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two worker processes' agents (in this JVM, over Artery) run attempts a stand-in leader sends:
 * a map on one, whose output is served by its shuffle server, then a reduce on the other that
 * fetches it over HTTP, asks to commit (again, of the next leader, when the first one goes
 * silent) and promotes its output once granted.
 */
class ClusterAttemptsTest {
  /**
   * Each attempt runs in an executor JVM the worker starts: at load 47 on two cores a map's first
   * report took over 30 s (aLeaderThatAsksToRegisterAgain... timed out waiting for it).
   */
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String JOB = "job-0001";

  @TempDir Path tmp;
  private ActorSystem<Void> masters;
  private ActorTestKit kit;
  private TestProbe<Object> front;
  private WorkerProcess w1;
  private WorkerProcess w2;

  /** Where the masters' address delivers (the front probe unless a test says). */
  private final AtomicReference<ActorRef<Object>> sink = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
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
    w1 = worker("w1", master);
    w2 = worker("w2", master);
  }

  private WorkerProcess worker(String id, String master) throws Exception {
    // The stand-in leaders never answer heartbeats: a leader timeout past the test's waits
    // keeps the agents with the leader they were given (after it, a question goes nowhere).
    return WorkerProcess.start(new WorkerProcessConfig(id, List.of(master), 2,
        tmp.resolve(id), "127.0.0.1", 0, Duration.ofMillis(100), Duration.ofSeconds(300)),
        ConfigFactory.empty());
  }

  @AfterEach
  void stop() {
    w1.close();
    w2.close();
    kit.shutdownTestKit();
  }

  @Test
  void aMapOnOneWorkerFeedsAReduceOnAnotherOverHttp() throws Exception {
    Path input = Files.writeString(tmp.resolve("in.txt"), "a\nb\nc\n");
    String out = tmp.resolve("out").toString();
    JobSpec job = countJob(input, out);

    // Both register; the stand-in leads in term 3.
    TestProbe<ToMaster> leader = kit.createTestProbe();
    Map<String, ActorRef<ToWorker>> agents = new HashMap<>();
    front.fishForMessage(WAIT, m -> {
      if (m instanceof Heartbeat h) {
        agents.put(h.workerId(), h.replyTo());
      }
      return agents.size() == 2 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    agents.values().forEach(a -> a.tell(new Accepted(3, "m1", leader.getRef())));

    TaskAttemptId map = new TaskAttemptId(JOB, TaskKind.MAP, 0, 1);
    agents.get("w1").tell(new RunAttempt(3, "m1", new MapTaskSpec(map, job,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        "scratch/" + JOB + "/" + map.dirName(), OutputLayout.attemptDir(out, map).toString())));
    AttemptDone mapDone = done(leader, map);
    MapOutputRef output = mapDone.mapOutput();
    assertNotNull(output);
    assertTrue(output.host().startsWith("127.0.0.1:"), output.host());
    assertTrue(Path.of(output.dataFile()).startsWith(tmp.resolve("w1")), output.dataFile());

    TaskAttemptId reduce = new TaskAttemptId(JOB, TaskKind.REDUCE, 0, 1);
    agents.get("w2").tell(new RunAttempt(3, "m1", new ReduceTaskSpec(reduce, job, 0,
        List.of(output), "scratch/" + JOB + "/" + reduce.dirName(),
        OutputLayout.attemptDir(out, reduce).toString())));
    CanCommit ask = (CanCommit) last(leader.fishForMessage(WAIT, m -> m instanceof CanCommit
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()));
    assertEquals(reduce, ask.attempt());
    // The leader dies with the question unanswered: w2 asks the next leader again at once.
    TestProbe<ToMaster> next = kit.createTestProbe();
    agents.get("w2").tell(new Accepted(4, "m2", next.getRef()));
    CanCommit again = (CanCommit) last(next.fishForMessage(WAIT, m -> m instanceof CanCommit
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()));
    assertEquals(reduce, again.attempt());
    // A deposed leader's answer is refused; the new leader's own goes through.
    again.replyTo().tell(new CommitAnswer(3, "m1", reduce, true, null));
    again.replyTo().tell(new CommitAnswer(4, "m2", reduce, true, null));
    AttemptDone reduceDone = done(next, reduce);
    assertEquals("w2", reduceDone.workerId());
    assertNotEquals(0, reduceDone.counters().get("test", "values"));
    // w1's map report went to the old leader, which may have died before its entry committed:
    // w1 sends it again to the new leader it registers with.
    agents.get("w1").tell(new Accepted(4, "m2", next.getRef()));
    assertEquals(mapDone.attempt(), done(next, map).attempt());

    Path committed = Path.of(OutputLayout.committedDir(out, reduce));
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.list(committed)) {
      for (Path f : files.sorted().toList()) {
        text.append(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    assertEquals("k\t6\n", text.toString()); // three lines, two records each
  }

  /**
   * The leader a worker follows asks it to register again (its scheduling session started over,
   * or the same master was elected again): the worker sends a registering heartbeat that lists
   * the attempt it finished and reported to that leader, and sends the report again once
   * accepted, since the session that got it may have dropped it.
   */
  @Test
  void aLeaderThatAsksToRegisterAgainGetsTheFinishedAttemptsReportAgain() throws Exception {
    Path input = Files.writeString(tmp.resolve("in.txt"), "a\nb\n");
    String out = tmp.resolve("out").toString();
    JobSpec job = countJob(input, out);
    TestProbe<ToMaster> leader = kit.createTestProbe();
    Heartbeat first = (Heartbeat) last(front.fishForMessage(WAIT, m -> m instanceof Heartbeat h
        && h.workerId().equals("w1") ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()));
    ActorRef<ToWorker> w1Agent = first.replyTo();
    w1Agent.tell(new Accepted(3, "m1", leader.getRef()));
    TaskAttemptId map = new TaskAttemptId(JOB, TaskKind.MAP, 0, 1);
    w1Agent.tell(new RunAttempt(3, "m1", new MapTaskSpec(map, job,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        "scratch/" + JOB + "/" + map.dirName(), OutputLayout.attemptDir(out, map).toString())));
    AttemptDone reported = done(leader, map);
    // A heartbeat after the report lists nothing: the attempt no longer runs.
    Heartbeat plain = (Heartbeat) last(leader.fishForMessage(WAIT, m -> m instanceof Heartbeat
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()));
    assertFalse(plain.registering());
    assertEquals(List.of(), plain.running());

    // (The front still holds the registering heartbeats sent before term 3: skipped below.)
    String master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    w1Agent.tell(new ClusterWire.NotLeader("m1", 3, "m1", master));
    Heartbeat again = (Heartbeat) last(front.fishForMessage(WAIT, m -> m instanceof Heartbeat h
        && h.workerId().equals("w1") && h.registering() && h.seenTerm() == 3
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()));
    assertEquals(List.of(map.toString()), again.running());
    again.replyTo().tell(new Accepted(3, "m1", leader.getRef()));
    assertEquals(reported.attempt(), done(leader, map).attempt());
  }

  /**
   * A final report sent again to a new leader is kept from then on for the leader timeout plus
   * 10 s (how long reports were kept before acks; now until acknowledged), not from when it
   * first went to the leader that died: a failover longer than that (a loaded machine) used to leave the report with the new leader
   * alone, and when that leader's scheduling session started over and asked the worker to
   * register again, the attempt was listed nowhere and the new session killed it as "no longer
   * runs it" and ran its task again.
   */
  @Test
  void aReportSentAgainToANewLeaderIsKeptForItFromThen() throws Exception {
    Path input = Files.writeString(tmp.resolve("in.txt"), "a\nb\n");
    String out = tmp.resolve("out").toString();
    JobSpec job = countJob(input, out);
    String master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    Duration leaderTimeout = Duration.ofSeconds(2);
    try (WorkerProcess w3 = WorkerProcess.start(new WorkerProcessConfig("w3", List.of(master), 2,
        tmp.resolve("w3"), "127.0.0.1", 0, Duration.ofMillis(100), leaderTimeout),
        ConfigFactory.empty())) {
      Heartbeat first = (Heartbeat) last(front.fishForMessage(WAIT, m -> m instanceof Heartbeat h
          && h.workerId().equals("w3") ? FishingOutcomes.complete()
          : FishingOutcomes.continueAndIgnore()));
      ActorRef<ToWorker> agent = first.replyTo();
      // Two stand-in leaders that answer every heartbeat while they are up, as a live one does;
      // the first one also at the masters' address, so that a worker that lost it under load
      // (no answer within its leader timeout) finds it again there.
      TestProbe<ToMaster> old = kit.createTestProbe();
      java.util.concurrent.atomic.AtomicBoolean oldUp = new java.util.concurrent.atomic
          .AtomicBoolean(true);
      ActorRef<ToMaster> oldLeader = answering(3, "m1", oldUp, old);
      sink.set(oldLeader.unsafeUpcast());
      agent.tell(new Accepted(3, "m1", oldLeader));
      TaskAttemptId map = new TaskAttemptId(JOB, TaskKind.MAP, 0, 1);
      agent.tell(new RunAttempt(3, "m1", new MapTaskSpec(map, job,
          new FileSplit(input.toString(), 0, Files.size(input), List.of()),
          "scratch/" + JOB + "/" + map.dirName(), OutputLayout.attemptDir(out, map).toString())));
      AttemptDone reported = done(old, map);
      long reportedAt = System.nanoTime();

      // The leader dies with the report; the next one is elected only after the report's time
      // to be kept has passed (the worker, knowing no leader, keeps it meanwhile).
      oldUp.set(false);
      sink.set(front.getRef());
      long kept = leaderTimeout.plus(Duration.ofSeconds(10)).plusSeconds(1).toNanos();
      Await.until(WAIT, "the first report older than it is kept for",
          () -> System.nanoTime() - reportedAt > kept);
      TestProbe<ToMaster> next = kit.createTestProbe();
      ActorRef<ToMaster> nextLeader = answering(4, "m2", new java.util.concurrent.atomic
          .AtomicBoolean(true), next);
      agent.tell(new Accepted(4, "m2", nextLeader));
      assertEquals(reported.attempt(), done(next, map).attempt());
      // It follows the new leader for a few heartbeats (the tick that sends one drops the
      // reports kept long enough), then that leader's session starts over and asks it to
      // register again.
      for (int i = 0; i < 2; i++) {
        next.fishForMessage(WAIT, m -> m instanceof Heartbeat h && !h.registering()
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      }
      agent.tell(new ClusterWire.NotLeader("m2", 4, "m2", master));
      Heartbeat again = (Heartbeat) last(front.fishForMessage(WAIT, m -> m instanceof Heartbeat h
          && h.workerId().equals("w3") && h.registering() && h.seenTerm() == 4
          ? FishingOutcomes.complete()
          : FishingOutcomes.continueAndIgnore()));
      assertEquals(List.of(map.toString()), again.running(),
          "the registering heartbeat lists the attempt whose report it sends again");
    }
  }

  /**
   * A stand-in leader of {@code term} that, while {@code up}, answers each heartbeat as a live
   * leader does; everything it hears goes to {@code probe}.
   */
  private ActorRef<ToMaster> answering(long term, String id,
      java.util.concurrent.atomic.AtomicBoolean up, TestProbe<ToMaster> probe) {
    return kit.spawn(Behaviors.<ToMaster>setup(ctx -> Behaviors.receiveMessage(m -> {
      if (m instanceof Heartbeat h && up.get()) {
        h.replyTo().tell(new Accepted(term, id, ctx.getSelf()));
      }
      probe.getRef().tell(m);
      return Behaviors.same();
    })));
  }

  /** A job of one reduce counting the records SkewMapper makes (two per line), into {@code out}. */
  private static JobSpec countJob(Path input, String out) throws java.io.IOException {
    Files.createDirectories(Path.of(OutputLayout.temporaryDir(out)));
    return Job.builder("t").input(input.toString()).output(out)
        .mapper(TestJobs.SkewMapper.class).reducer(TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class).output(String.class, Long.class).reduceTasks(1)
        .set("skew.count", "2").build().spec();
  }

  private static Object last(List<?> fished) {
    return fished.get(fished.size() - 1);
  }

  private static AttemptDone done(TestProbe<ToMaster> leader, TaskAttemptId id) {
    Object m = last(leader.fishForMessage(WAIT, x -> x instanceof AttemptDone d
        && d.attempt().equals(id) ? FishingOutcomes.complete()
        : x instanceof ClusterWire.AttemptFailed f ? FishingOutcomes.fail("failed: " + f)
        : FishingOutcomes.continueAndIgnore()));
    return (AttemptDone) m;
  }
}
