package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.SchedulerSettings;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.InMemoryRaftPersistence;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.node.RaftNodeActor;
import dev.quern.testkit.Await;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.cluster.ClusterWire.AttemptDone;
import dev.quern.worker.cluster.ClusterWire.FinalsAcked;
import dev.quern.worker.cluster.ClusterWire.RunAttempt;
import dev.quern.worker.cluster.ClusterWire.ToWorker;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job leader acknowledges a worker's final report ({@link FinalsAcked}) only once the book has
 * the attempt's end: a real {@link JobLeader} over a real single-node Raft with the replicated
 * {@link JobBookMachine}, and between them a gate that holds the leader's proposals until the
 * test lets them through, so "not before the entry is applied" is a fact the test controls
 * rather than a race it hopes to win. Whether the leader answered a report before a later input
 * reads off the worker probe: the leader answers a worker it does not know ({@code w2}) at once
 * with a {@link ClusterWire.NotLeader}, to the same probe, so an ack the leader sent while
 * handling the report arrives before that answer.
 */
class FinalReportAckLeaderTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<InputSplit> SPLITS = List.of(
      new FileSplit("/in/a", 0, 20, List.of()), new FileSplit("/in/b", 0, 10, List.of()));

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  @TempDir Path tmp;
  private final ActorTestKit kit = ActorTestKit.create("acks");

  /** Lets the leader's proposals through, or holds them (in order) until {@link Release}. */
  private enum Hold { INSTANCE }

  private enum Release { INSTANCE }

  private static Behavior<Object> gate(ActorRef<RaftNodeActor.Command> node,
      ActorRef<RaftNodeActor.Propose> held) {
    List<RaftNodeActor.Propose> queue = new ArrayList<>();
    boolean[] holding = {false};
    return Behaviors.receiveMessage(m -> {
      if (m == Hold.INSTANCE) {
        holding[0] = true;
      } else if (m == Release.INSTANCE) {
        holding[0] = false;
        queue.forEach(node::tell);
        queue.clear();
      } else if (m instanceof RaftNodeActor.Propose p && holding[0]) {
        queue.add(p);
        held.tell(p);
      } else {
        node.tell((RaftNodeActor.Command) m);
      }
      return Behaviors.same();
    });
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aReportIsAckedOnceItsEntryIsAppliedAndAReportSentAgainAtOnce() throws Exception {
    RaftMonitor monitor = new RaftMonitor();
    ActorRef<RaftNodeActor.Command> node = kit.spawn(RaftNodeActor.create(
        new RaftNodeActor.Settings(RaftConfig.builder(1).forwardToLeader(false).build(),
            Duration.ofMillis(20), Map.of(), List.of(1L), 1, 0, monitor),
        InMemoryRaftPersistence::new, JobBookMachine::new), "raft");
    TestProbe<RaftNodeActor.Propose> held = kit.createTestProbe();
    ActorRef<Object> gate = kit.spawn(gate(node, held.getRef()), "gate");
    ActorRef<JobLeader.Command> leader = kit.spawn(JobLeader.create(new JobLeader.Settings("m1",
        "127.0.0.1:1", monitor, gate.narrow(), Path.of("scratch"), Duration.ofMillis(20),
        Duration.ofSeconds(60), Clock.systemUTC(), tmp.resolve("jars"), Retention.DEFAULTS,
        SchedulerSettings.CLUSTER, new ProgressViews(new ClusterMonitor()), null)), "leader");
    long term = Await.value(WAIT, "the node to lead", () -> monitor.status()
        .filter(RaftStatus::isLeader).map(RaftStatus::term).orElse(null));

    // A job of two maps and a reduce; a worker of one slot gets the first map.
    TestProbe<JobLeader.SubmitReply> client = kit.createTestProbe();
    JobSpec spec = Job.builder("acks").input("/in").output(tmp.resolve("out").toString())
        .mapper(NoMapper.class).mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    // Until the leader's tick has seen the node lead, it answers that it does not.
    String jobId = Await.value(WAIT, "the job accepted", () -> {
      leader.tell(new JobLeader.Submit(spec, BookSplit.ofAll(SPLITS, null), null,
          client.getRef()));
      return client.receiveMessage(WAIT) instanceof JobLeader.SubmitAccepted a ? a.jobId() : null;
    });
    TestProbe<ToWorker> worker = kit.createTestProbe();
    leader.tell(new JobLeader.WorkerSeen(term, "w1", "127.0.0.1", 1, List.of(), true,
        worker.getRef()));
    TaskAttemptId map = worker.expectMessageClass(RunAttempt.class, WAIT).task().id();
    assertThat(map.jobId()).isEqualTo(jobId);
    assertThat(map.kind()).isEqualTo(TaskKind.MAP);
    AttemptDone done = new AttemptDone("w1", map, new Counters(),
        new MapOutputRef(map.taskIndex(), map, "127.0.0.1:2", "/d", "/i"));

    // The report's entry is held: no ack, neither for it nor for the same report sent again.
    gate.tell(Hold.INSTANCE);
    leader.tell(new JobLeader.FromWorker(done));
    held.expectMessageClass(RaftNodeActor.Propose.class, WAIT);
    leader.tell(new JobLeader.FromWorker(done));
    leader.tell(new JobLeader.WorkerSeen(term, "w2", "127.0.0.1", 1, List.of(), false,
        worker.getRef()));
    worker.expectMessageClass(ClusterWire.NotLeader.class, WAIT);
    assertThat(attemptState(node, map)).isEqualTo(AttemptState.RUNNING);

    // Applied: acked (after the start of the next map, which the same entry holds).
    gate.tell(Release.INSTANCE);
    FinalsAcked ack = (FinalsAcked) last(worker.fishForMessage(WAIT, m -> m instanceof FinalsAcked
        ? FishingOutcomes.complete() : m instanceof RunAttempt ? FishingOutcomes.continueAndIgnore()
        : FishingOutcomes.fail("unexpected " + m)));
    assertThat(ack.term()).isEqualTo(term);
    assertThat(ack.leaderId()).isEqualTo("m1");
    assertThat(ack.attempts()).containsExactly(map);
    assertThat(attemptState(node, map)).isEqualTo(AttemptState.SUCCEEDED);

    // Sent again once the book has it, or of an attempt the book does not know: acked at once,
    // before the leader handles the next input, with proposals still held (none is needed).
    gate.tell(Hold.INSTANCE);
    TaskAttemptId unknown = new TaskAttemptId("job-9999", TaskKind.MAP, 0, 1);
    leader.tell(new JobLeader.FromWorker(done));
    leader.tell(new JobLeader.FromWorker(new ClusterWire.AttemptFailed("w1", unknown, "boom",
        null, null)));
    leader.tell(new JobLeader.WorkerSeen(term, "w2", "127.0.0.1", 1, List.of(), false,
        worker.getRef()));
    List<ToWorker> next = List.of(worker.receiveMessage(WAIT), worker.receiveMessage(WAIT),
        worker.receiveMessage(WAIT));
    assertThat(next).containsExactly(new FinalsAcked(term, "m1", List.of(map)),
        new FinalsAcked(term, "m1", List.of(unknown)), next.get(2));
    assertThat(next.get(2)).isInstanceOf(ClusterWire.NotLeader.class);
  }

  /** The attempt's state in the node's applied book (a linearizable read). */
  private AttemptState attemptState(ActorRef<RaftNodeActor.Command> node, TaskAttemptId id) {
    TestProbe<RaftNodeActor.ReadReply> reply = kit.createTestProbe();
    node.tell(new RaftNodeActor.Read(m -> BookCodec.snapshot(((JobBookMachine) m).book()),
        reply.getRef()));
    JobBook book = BookCodec.restore(reply.expectMessageClass(RaftNodeActor.ReadResult.class,
        WAIT).value());
    return book.job(id.jobId()).attempt(id).state();
  }

  private static Object last(List<?> fished) {
    return fished.get(fished.size() - 1);
  }
}
