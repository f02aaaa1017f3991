package dev.quern.worker.actor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.worker.actor.WorkerReport.AttemptFailed;
import dev.quern.worker.actor.WorkerReport.AttemptKilled;
import dev.quern.worker.actor.WorkerReport.AttemptRunning;
import dev.quern.worker.actor.WorkerReport.AttemptSucceeded;
import dev.quern.worker.actor.WorkerReport.CanCommit;
import dev.quern.worker.actor.WorkerReport.CommitAnswer;
import dev.quern.worker.actor.WorkerReport.Register;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerActorTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private MapTaskSpec spec(int reduces, int attempt) {
    JobSpec job = Job.builder("w").input("/in").output(tmp.resolve("out").toString())
        .mapper(NoMapper.class).mapOutput(String.class, Long.class).reduceTasks(reduces).build()
        .spec();
    TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.MAP, 0, attempt);
    return new MapTaskSpec(id, job, new FileSplit("/in/a", 0, 1, List.of()),
        tmp.resolve("scratch").toString(),
        OutputLayout.attemptDir(job.outputPath(), id).toString());
  }

  private ActorRef<WorkerCommand> worker(TaskRunner runner, int slots,
      TestProbe<WorkerReport> master) {
    ActorRef<WorkerCommand> w = kit.spawn(WorkerActor.create(new WorkerSettings("worker-t",
        "localhost", slots, runner, s -> getClass().getClassLoader(), WAIT), master.getRef()));
    assertThat(master.expectMessageClass(Register.class).slots()).isEqualTo(slots);
    return w;
  }

  @Test
  void runsOnItsOwnSlotThreadAndReportsTheResult() {
    TestProbe<WorkerReport> master = kit.createTestProbe();
    AtomicReference<String> thread = new AtomicReference<>();
    MapTaskSpec spec = spec(1, 1);
    MapOutputRef ref = new MapOutputRef(0, spec.id(), "localhost", "/d", "/i");
    ActorRef<WorkerCommand> w = worker((s, l, p) -> {
      thread.set(Thread.currentThread().getName());
      return new TaskResult(s.id(), new Counters(), ref);
    }, 1, master);

    w.tell(new WorkerCommand.RunTask(spec, master.getRef()));

    master.expectMessageClass(AttemptRunning.class);
    AttemptSucceeded done = master.expectMessageClass(AttemptSucceeded.class, WAIT);
    assertThat(done.result().mapOutput()).isEqualTo(ref);
    assertThat(thread.get()).isEqualTo("worker-t-slot-1");
  }

  @Test
  void killInterruptsTheAttemptsThread() throws Exception {
    TestProbe<WorkerReport> master = kit.createTestProbe();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    ActorRef<WorkerCommand> w = worker((s, l, p) -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return null;
    }, 1, master);
    MapTaskSpec spec = spec(1, 1);
    w.tell(new WorkerCommand.RunTask(spec, master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    w.tell(new WorkerCommand.KillTask(spec.id(), "test kill"));

    assertThat(master.expectMessageClass(AttemptKilled.class).reason()).isEqualTo("test kill");
    assertThat(interrupted.await(20, TimeUnit.SECONDS)).isTrue();
    // The slot is free again.
    w.tell(new WorkerCommand.RunTask(spec(1, 2), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
  }

  @Test
  void aSecondTaskBeyondTheSlotsIsRefused() throws Exception {
    TestProbe<WorkerReport> master = kit.createTestProbe();
    CountDownLatch release = new CountDownLatch(1);
    ActorRef<WorkerCommand> w = worker((s, l, p) -> {
      release.await();
      return new TaskResult(s.id(), new Counters(), null);
    }, 1, master);
    // A map-only attempt sets up its output under OUT/_temporary (the master's job setup makes
    // it) before its task runs; without it the first attempt fails and frees its slot at once.
    Files.createDirectories(Path.of(OutputLayout.temporaryDir(spec(0, 1).job().outputPath())));
    w.tell(new WorkerCommand.RunTask(spec(0, 1), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    w.tell(new WorkerCommand.RunTask(spec(0, 2), master.getRef()));
    assertThat(master.expectMessageClass(AttemptKilled.class).reason())
        .isEqualTo("worker worker-t has no free slot");
    release.countDown();
  }

  @Test
  void failuresCarryTheStackTraceAndLostMapOutputs() {
    TestProbe<WorkerReport> master = kit.createTestProbe();
    MapTaskSpec spec = spec(1, 1);
    MapOutputRef lost = new MapOutputRef(3, new TaskAttemptId("job-0001", TaskKind.MAP, 3, 1),
        "localhost", "/d", "/i");
    ActorRef<WorkerCommand> w = worker((s, l, p) -> {
      if (s.id().attempt() == 1) {
        throw new IllegalArgumentException("user bug");
      }
      throw new MapOutputLostException(lost, 0, "checksum mismatch");
    }, 1, master);

    w.tell(new WorkerCommand.RunTask(spec, master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    AttemptFailed f = master.expectMessageClass(AttemptFailed.class, WAIT);
    assertThat(f.message()).isEqualTo("java.lang.IllegalArgumentException: user bug");
    assertThat(f.stackTrace()).contains("at dev.quern.worker.actor.WorkerActorTest");
    assertThat(f.lostOutput()).isNull();

    w.tell(new WorkerCommand.RunTask(spec(1, 2), master.getRef()));
    master.expectMessageClass(AttemptRunning.class);
    assertThat(master.expectMessageClass(AttemptFailed.class, WAIT).lostOutput()).isEqualTo(lost);
  }

  @Test
  void anOutputAttemptPromotesItsDirectoryOnlyWhenGranted() throws Exception {
    TestProbe<WorkerReport> master = kit.createTestProbe();
    TaskRunner writes = (s, l, p) -> {
      Path dir = Files.createDirectories(Path.of(s.outputWorkDir()));
      Files.writeString(dir.resolve("part-" + s.id().taskName()), s.id().toString());
      return new TaskResult(s.id(), new Counters(), null);
    };
    ActorRef<WorkerCommand> w = worker(writes, 2, master);
    MapTaskSpec first = spec(0, 1);
    MapTaskSpec second = spec(0, 2);
    // The master's job setup, before any attempt runs (the committer's setupTask needs it).
    Files.createDirectories(Path.of(OutputLayout.temporaryDir(first.job().outputPath())));
    w.tell(new WorkerCommand.RunTask(first, master.getRef()));
    w.tell(new WorkerCommand.RunTask(second, master.getRef()));

    // An attempt's final report may come before the other attempt asks: collect both kinds.
    List<WorkerReport> ends = new java.util.ArrayList<>();
    int asked = 0;
    while (asked < 2 || ends.size() < 2) {
      WorkerReport r = master.receiveMessage(WAIT);
      if (r instanceof CanCommit ask) {
        asked++;
        boolean grant = ask.attempt().equals(second.id());
        ask.replyTo().tell(new CommitAnswer(ask.attempt(), grant,
            grant ? null : "lost the race"));
      } else if (!(r instanceof AttemptRunning)) {
        ends.add(r);
      }
    }

    assertThat(ends).filteredOn(r -> r instanceof AttemptSucceeded).singleElement()
        .extracting(r -> ((AttemptSucceeded) r).attempt()).isEqualTo(second.id());
    assertThat(ends).filteredOn(r -> r instanceof AttemptKilled).singleElement()
        .extracting(r -> ((AttemptKilled) r).reason()).isEqualTo("commit denied: lost the race");
    String out = first.job().outputPath();
    Path committed = Path.of(OutputLayout.committedDir(out, second.id()));
    assertThat(Files.readString(committed.resolve("part-m-00000")))
        .isEqualTo(second.id().toString());
    assertThat(Files.exists(Path.of(OutputLayout.attemptDir(out, first.id())))).isFalse();
    assertThat(Files.exists(Path.of(OutputLayout.attemptDir(out, second.id())))).isFalse();
  }
}
