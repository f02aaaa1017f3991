package dev.quern.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.testkit.Await;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.cluster.ClusterWire.Accepted;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.FinalsAcked;
import dev.quern.worker.cluster.ClusterWire.Heartbeat;
import dev.quern.worker.cluster.ClusterWire.JobEnded;
import dev.quern.worker.cluster.ClusterWire.NotLeader;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.ToMaster;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.testjobs.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker keeps each final report until the leader it follows acknowledges it in its term
 * ({@link FinalsAcked}), whatever the time: one worker process's agent (in this JVM, over real
 * Artery, attempts in-process) and stand-in leaders that answer its heartbeats and record what
 * they hear, in order. "Sent again" and "listed" are read from that record: a message heard
 * after another was sent after it (one sender, one receiver), so what the worker did after an
 * ack or a job's end reads off the messages that follow the next one it sent. The cases share
 * one worker (its start is most of a case's cost): each follows a leader of a newer term, and
 * ends the jobs it ran, which drops their reports.
 */
class FinalReportAckTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Short, so re-sends come often; the heartbeat interval is 100 ms. */
  private static final Duration LEADER_TIMEOUT = Duration.ofMillis(500);
  /** How long a sent report was kept before acks (leader timeout + 10 s). */
  private static final Duration KEPT_BEFORE_ACKS = LEADER_TIMEOUT.plusSeconds(10);

  @TempDir static Path tmp;
  private static ActorSystem<Void> masters;
  private static ActorTestKit kit;
  private static WorkerProcess worker;
  private static String master;
  /** Where the masters' address delivers: the stand-in leader of the moment. */
  private static final AtomicReference<ActorRef<Object>> sink = new AtomicReference<>();
  /** The terms of the cases' leaders: each case's are newer than the last case's. */
  private static long terms = 10;
  private static int jobs;

  private ActorRef<ToWorker> agent;
  /** The leader followed now, and the jobs this case ran (ended after it). */
  private StandIn current;
  private final List<String> ran = new ArrayList<>();

  /** A stand-in leader that answers heartbeats as a live one does, and records all it hears. */
  private static final class StandIn {
    final long term;
    final String id;
    final List<Object> heard = new ArrayList<>();
    ActorRef<ToMaster> ref;

    StandIn(long term, String id) {
      this.term = term;
      this.id = id;
    }

    synchronized int size() {
      return heard.size();
    }

    synchronized List<Object> since(int from) {
      return new ArrayList<>(heard.subList(from, heard.size()));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    masters = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(Behaviors.receive(Object.class).onAnyMessage(m -> {
        ActorRef<Object> to = sink.get();
        if (to != null) {
          to.tell(m);
        }
        return Behaviors.same();
      }).build(), WorkerAgent.MASTER_ACTOR);
      return Behaviors.empty();
    }), WorkerAgent.MASTER_SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
    kit = ActorTestKit.create(masters);
    master = "127.0.0.1:" + masters.address().getPort().orElseThrow();
    worker = WorkerProcess.start(new WorkerProcessConfig("w1", List.of(master), 2,
        tmp.resolve("w1"), "127.0.0.1", 0, Duration.ofMillis(100), LEADER_TIMEOUT),
        ConfigFactory.parseString("quern.worker.task-isolation = in-process"));
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    kit.shutdownTestKit();
  }

  /**
   * Each case leaves no report kept (the next one would find it listed): it ends the jobs it
   * ran, and waits for a registering heartbeat, sent after that, which lists none.
   */
  @AfterEach
  void endJobs() {
    if (current != null) {
      ran.forEach(j -> agent.tell(new JobEnded(current.term, current.id, j)));
      int registering = registerAgain(current, sync(current));
      assertEquals(List.of(), heartbeat(current, registering).running());
    }
  }

  /**
   * The leader sits on the report's ack for longer than reports were kept before acks (its
   * entry is slow to commit): the worker still sends the report again, once per leader timeout,
   * and still lists the attempt when it registers again.
   */
  @Test
  void aReportWhoseAckIsWithheldIsSentAgainAndListedLongAfter() throws Exception {
    StandIn m1 = follow("m1");
    TaskAttemptId map = runMap(m1);
    long reportedAt = System.nanoTime();

    Await.until(WAIT, "the report to be older than reports were kept before acks",
        () -> System.nanoTime() - reportedAt > KEPT_BEFORE_ACKS.toNanos());
    int late = m1.size();
    awaitAfter(m1, late, "the report sent again after that", done(map));

    int registering = registerAgain(m1, m1.size());
    assertEquals(List.of(map.toString()), heartbeat(m1, registering).running(),
        "the registering heartbeat lists the attempt whose report was never acknowledged");
    awaitAfter(m1, registering + 1, "the report sent again after registering", done(map));
  }

  /** An acknowledged report is neither sent again nor listed; one not acknowledged still is. */
  @Test
  void anAcknowledgedReportIsNotSentAgain() throws Exception {
    StandIn m1 = follow("m1");
    TaskAttemptId acked = runMap(m1);
    TaskAttemptId kept = runMap(m1);
    agent.tell(new FinalsAcked(m1.term, "m1", List.of(acked)));

    int registering = registerAgain(m1, sync(m1));
    assertEquals(List.of(kept.toString()), heartbeat(m1, registering).running());
    awaitAfter(m1, registering + 1, "the unacknowledged report sent again", done(kept));
    awaitResendPeriods(m1);
    assertTrue(m1.since(registering).stream().noneMatch(done(acked)),
        "the acknowledged report was sent again: " + m1.since(registering));
  }

  /**
   * Acks that do not come from the leader followed in its term are ignored: a deposed leader's
   * (the report went to it, and it acks after the worker moved to a new leader), another
   * master's in the new term, a newer term's the worker does not follow. The report stays,
   * listed and sent again to the new leader, until that leader acks it.
   */
  @Test
  void anAckFromAnotherLeaderOrTermDoesNotDropTheReport() throws Exception {
    StandIn m1 = follow("m1");
    TaskAttemptId map = runMap(m1);

    StandIn m2 = standIn(m1.term + 1, "m2");
    current = m2;
    sink.set(m2.ref.unsafeUpcast());
    agent.tell(new Accepted(m2.term, "m2", m2.ref));
    awaitAfter(m2, 0, "the report sent to the new leader", done(map));
    agent.tell(new FinalsAcked(m1.term, "m1", List.of(map))); // deposed
    agent.tell(new FinalsAcked(m2.term, "m9", List.of(map))); // not the leader of the term
    agent.tell(new FinalsAcked(m2.term + 1, "m3", List.of(map))); // a term not followed

    int registering = registerAgain(m2, sync(m2));
    assertEquals(List.of(map.toString()), heartbeat(m2, registering).running());
    awaitAfter(m2, registering + 1, "the report sent again", done(map));

    // The leader followed acks it: gone.
    agent.tell(new FinalsAcked(m2.term, "m2", List.of(map)));
    registering = registerAgain(m2, sync(m2));
    assertEquals(List.of(), heartbeat(m2, registering).running());
    awaitResendPeriods(m2);
    assertTrue(m2.since(registering).stream().noneMatch(done(map)),
        "the acknowledged report was sent again: " + m2.since(registering));
  }

  /** {@link JobEnded} drops that job's reports (its book has them, or the job is gone). */
  @Test
  void theEndOfAJobDropsItsReports() throws Exception {
    StandIn m1 = follow("m1");
    TaskAttemptId ended = runMap(m1);
    TaskAttemptId other = runMap(m1);
    agent.tell(new JobEnded(m1.term, "m1", ended.jobId()));

    int registering = registerAgain(m1, sync(m1));
    assertEquals(List.of(other.toString()), heartbeat(m1, registering).running());
    awaitAfter(m1, registering + 1, "the other job's report sent again", done(other));
    awaitResendPeriods(m1);
    assertTrue(m1.since(registering).stream().noneMatch(done(ended)),
        "the ended job's report was sent again: " + m1.since(registering));
  }

  /** The ack's wire form (manifest FA1) keeps its fields; a count past the bound is refused. */
  @Test
  void theAckSurvivesTheWireAndAnOversizedCountIsRefused() throws Exception {
    ClusterWireSerializer serializer = new ClusterWireSerializer(
        (org.apache.pekko.actor.ExtendedActorSystem) org.apache.pekko.actor.typed.javadsl.Adapter
            .toClassic(masters));
    FinalsAcked ack = new FinalsAcked(7, "m2", List.of(
        new TaskAttemptId("job-0001", TaskKind.MAP, 3, 2),
        new TaskAttemptId("job-0002", TaskKind.REDUCE, 0, 1)));
    assertEquals("FA1", serializer.manifest(ack));
    assertEquals(ack, serializer.fromBinary(serializer.toBinary(ack), "FA1"));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeLong(7);
      TaskSpecCodec.str(out, "m2");
      out.writeInt(Integer.MAX_VALUE);
    }
    java.io.NotSerializableException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.io.NotSerializableException.class,
        () -> serializer.fromBinary(bytes.toByteArray(), "FA1"));
    assertTrue(e.getMessage().contains("final reports"), e.getMessage());
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * The worker follows a stand-in leader of a newer term than any before, found at the masters'
   * address.
   */
  private StandIn follow(String id) {
    terms += 10;
    StandIn leader = standIn(terms, id);
    sink.set(leader.ref.unsafeUpcast());
    if (current != null) {
      // The last case's leader names a newer one, as an elected master does: the worker asks it
      // at once rather than at its next heartbeat to the masters.
      agent.tell(new NotLeader(current.id, leader.term, id, master));
    }
    current = leader;
    int at = awaitAfter(leader, 0, "the worker's first heartbeat", m -> m instanceof Heartbeat);
    agent = heartbeat(leader, at).replyTo();
    // Registered once a heartbeat it sends says it has seen this term.
    awaitAfter(leader, at, "the worker to follow it",
        m -> m instanceof Heartbeat h && h.seenTerm() == leader.term);
    return leader;
  }

  /**
   * {@code leader} asks the worker to register again (its session started over); returns the
   * index of the first registering heartbeat it heard at or after {@code from}.
   */
  private int registerAgain(StandIn leader, int from) {
    agent.tell(new NotLeader(leader.id, leader.term, leader.id, master));
    return awaitAfter(leader, from, "a registering heartbeat", registering(leader.term));
  }

  /**
   * Returns an index of what {@code leader} heard such that the worker sent all from there on
   * after it handled every message told to it before this call: it answers a {@link
   * ClusterWire.FetchLogs} told after them, and anything it sends later reaches the leader after
   * that answer. (A worker that lost its leader for a moment under load may send a registering
   * heartbeat at any time: only those past this index show what it did with an ack.)
   */
  private int sync(StandIn leader) {
    int from = leader.size();
    agent.tell(new ClusterWire.FetchLogs("job-0000", "m-00000_1", "log", 0, 1, leader.ref));
    return awaitAfter(leader, from, "the answer to a log fetch",
        m -> m instanceof ClusterWire.LogChunk) + 1;
  }

  private StandIn standIn(long term, String id) {
    StandIn s = new StandIn(term, id);
    s.ref = kit.spawn(Behaviors.<ToMaster>setup(ctx -> Behaviors.receiveMessage(m -> {
      if (m instanceof Heartbeat h) {
        h.replyTo().tell(new Accepted(term, id, ctx.getSelf()));
      }
      synchronized (s) {
        s.heard.add(m);
      }
      return Behaviors.same();
    })));
    return s;
  }

  /** Runs a map of a new job on the worker; returns it once {@code leader} heard it done. */
  private TaskAttemptId runMap(StandIn leader) throws Exception {
    String jobId = String.format("job-%04d", ++jobs);
    ran.add(jobId);
    Path input = Files.writeString(tmp.resolve(jobId + ".txt"), "a\nb\n");
    String out = tmp.resolve(jobId + "-out").toString();
    Files.createDirectories(Path.of(OutputLayout.temporaryDir(out)));
    JobSpec job = Job.builder("t").input(input.toString()).output(out)
        .mapper(TestJobs.SkewMapper.class).reducer(TestJobs.CountReducer.class)
        .mapOutput(String.class, Long.class).output(String.class, Long.class).reduceTasks(1)
        .set("skew.count", "2").build().spec();
    TaskAttemptId map = new TaskAttemptId(jobId, TaskKind.MAP, 0, 1);
    int from = leader.size();
    agent.tell(new RunAttempt(leader.term, leader.id, new MapTaskSpec(map, job,
        new FileSplit(input.toString(), 0, Files.size(input), List.of()),
        "scratch/" + jobId + "/" + map.dirName(), OutputLayout.attemptDir(out, map).toString())));
    awaitAfter(leader, from, "map " + map + " done", done(map));
    return map;
  }

  /**
   * Waits for two leader timeouts from now and then for a heartbeat: a kept report would have
   * been sent again in that span, and heard before that heartbeat.
   */
  private void awaitResendPeriods(StandIn leader) {
    long start = System.nanoTime();
    Await.until(WAIT, "two leader timeouts",
        () -> System.nanoTime() - start > 2 * LEADER_TIMEOUT.toNanos());
    // And a heartbeat sent after that span, so what the worker sent in it has arrived.
    awaitAfter(leader, leader.size(), "a heartbeat after that", m -> m instanceof Heartbeat);
  }

  /** The index of the first message {@code leader} heard at or after {@code from} that matches. */
  private static int awaitAfter(StandIn leader, int from, String what, Predicate<Object> match) {
    return Await.value(WAIT, what, () -> {
      List<Object> heard = leader.since(from);
      for (int i = 0; i < heard.size(); i++) {
        if (match.test(heard.get(i))) {
          return from + i;
        }
      }
      return null;
    });
  }

  private static Heartbeat heartbeat(StandIn leader, int index) {
    return (Heartbeat) leader.since(index).get(0);
  }

  private static Predicate<Object> done(TaskAttemptId id) {
    return m -> m instanceof AttemptDone d && d.attempt().equals(id);
  }

  private static Predicate<Object> registering(long seenTerm) {
    return m -> m instanceof Heartbeat h && h.registering() && h.seenTerm() == seenTerm;
  }
}
