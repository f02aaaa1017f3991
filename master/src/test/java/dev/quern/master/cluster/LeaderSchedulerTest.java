package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.cluster.LeaderScheduler.Proposal;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.Effect.AnswerCommit;
import dev.quern.master.engine.Effect.CommitJob;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.Outcome;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The leader's scheduler against replicated books (two {@link JobBookMachine}s standing in for
 * the masters): effects wait for their entry, the books stay equal, and a new leader carries on
 * from the replicated book.
 */
class LeaderSchedulerTest {
  private static final Path WORK = Path.of("/scratch");
  private static final String JOB = "job-0001";
  private static final List<InputSplit> SPLITS = List.of(
      new FileSplit("/in/a", 0, 20, List.of()), new FileSplit("/in/b", 0, 10, List.of()));

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private final JobBookMachine leaderMachine = new JobBookMachine();
  private final JobBookMachine followerMachine = new JobBookMachine();
  private final List<Effect> ran = new ArrayList<>();

  private static JobSpec spec() {
    return spec(1);
  }

  private static JobSpec spec(int reduces) {
    return Job.builder("s").input("/in").output("/out").mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(reduces).build().spec();
  }

  private static TaskAttemptId map(int index, int attempt) {
    return new TaskAttemptId(JOB, TaskKind.MAP, index, attempt);
  }

  private static TaskAttemptId reduce(int attempt) {
    return new TaskAttemptId(JOB, TaskKind.REDUCE, 0, attempt);
  }

  /** Replicates the entry to both machines; returns the leader machine's result. */
  private byte[] replicate(Proposal p) {
    byte[] result = leaderMachine.apply(p.entry());
    followerMachine.apply(p.entry());
    return result;
  }

  /** The entry of the last input, applied at once; returns the effects released. */
  private List<Effect> settle(LeaderScheduler leader) {
    Optional<Proposal> p = leader.afterInput(ran::addAll);
    p.ifPresent(pr -> ran.addAll(leader.applied(pr.seq(), replicate(pr))));
    List<Effect> out = List.copyOf(ran);
    ran.clear();
    return out;
  }

  private static List<String> started(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof RunTask).map(e -> (RunTask) e)
        .map(r -> r.spec().id() + "@" + r.workerId()).toList();
  }

  private static void register(LeaderScheduler leader, String worker, long time) {
    leader.scheduler().report(new WorkerReport.Register(worker, "h-" + worker, 1, null), time);
  }

  private static void succeed(LeaderScheduler leader, TaskAttemptId a, String worker, long t) {
    MapOutputRef out = a.kind() == TaskKind.MAP
        ? new MapOutputRef(a.taskIndex(), a, "127.0.0.1:1", "/d", "/i") : null;
    leader.scheduler().report(new WorkerReport.AttemptSucceeded(a, worker,
        new TaskResult(a, new Counters(), out)), t);
  }

  @Test
  void effectsWaitForTheirEntryAndTheBooksStayEqual() {
    LeaderScheduler leader = new LeaderScheduler(leaderMachine.book(), WORK);
    register(leader, "w0", 0);
    register(leader, "w1", 0);
    assertThat(leader.afterInput(ran::addAll)).isEmpty();

    Outcome o = leader.scheduler().submit(spec(), SPLITS, BookSplit.ofAll(SPLITS, null), null, 1);
    assertThat(o).isEqualTo(new Outcome.Applied(JOB));
    Proposal accept = leader.afterInput(ran::addAll).orElseThrow();
    assertThat(ran).isEmpty(); // the starts are not in the log yet
    // Another input meanwhile: its (event-less) effects queue behind the entry in flight.
    WorkerReport.CanCommit early = new WorkerReport.CanCommit(reduce(9), null);
    leader.scheduler().report(early, 2);
    assertThat(leader.afterInput(ran::addAll)).isEmpty();
    assertThat(ran).isEmpty();

    // One entry holds the acceptance and both starts; the denial comes after the starts.
    List<Effect> released = leader.applied(accept.seq(), replicate(accept));
    assertThat(started(released)).containsExactly(map(0, 1) + "@w0", map(1, 1) + "@w1");
    assertThat(released.get(released.size() - 1)).isInstanceOf(AnswerCommit.class);
    assertThat(leaderMachine.book().job(JOB).runningAttempts()).hasSize(2);

    succeed(leader, map(0, 1), "w0", 3);
    assertThat(settle(leader)).isEmpty();
    succeed(leader, map(1, 1), "w1", 4);
    assertThat(started(settle(leader))).containsExactly(reduce(1) + "@w0");
    WorkerReport.CanCommit ask = new WorkerReport.CanCommit(reduce(1), null);
    leader.scheduler().report(ask, 5);
    Proposal grant = leader.afterInput(ran::addAll).orElseThrow();
    assertThat(ran).isEmpty(); // the grant is answered only once it is applied
    assertThat(leader.applied(grant.seq(), replicate(grant))).containsExactly(
        new AnswerCommit(ask, new WorkerReport.CommitAnswer(reduce(1), true, null)));
    succeed(leader, reduce(1), "w0", 6);
    assertThat(settle(leader)).singleElement().isInstanceOf(CommitJob.class);
    assertThat(followerMachine.book().job(JOB).state()).isEqualTo(JobState.COMMITTING);
    leader.scheduler().commitFinished(JOB, 7, null, 7);
    assertThat(settle(leader)).isEmpty();

    assertThat(leader.broken()).isNull();
    assertThat(leader.inFlight()).isZero();
    for (JobBookMachine m : List.of(leaderMachine, followerMachine)) {
      assertThat(m.book().job(JOB).state()).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(leader.scheduler().book().job(JOB).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aNewLeaderCarriesOnFromTheReplicatedBook() {
    LeaderScheduler old = new LeaderScheduler(leaderMachine.book(), WORK);
    register(old, "w0", 0);
    old.scheduler().submit(spec(), SPLITS, BookSplit.ofAll(SPLITS, null), null, 1);
    assertThat(started(settle(old))).containsExactly(map(0, 1) + "@w0");
    // The old leader's next start never reaches the log: it is deposed.
    succeed(old, map(0, 1), "w0", 2);
    Proposal lost = old.afterInput(ran::addAll).orElseThrow();
    old.failed(lost.seq(), "not leader");
    assertThat(old.broken()).contains("not leader");
    assertThat(old.applied(lost.seq(), new byte[0])).isEmpty();
    assertThat(ran).isEmpty();

    // The follower leads now, over its book (map 0 still running there).
    LeaderScheduler next = new LeaderScheduler(followerMachine.book(), WORK);
    next.takeOver(100);
    assertThat(settle(next)).isEmpty(); // no worker yet
    register(next, "w1", 101);
    List<Effect> starts = settle(next);
    // The book's split, and attempt numbers continue from the book.
    assertThat(started(starts)).containsExactly(map(1, 1) + "@w1");
    assertThat(((MapTaskSpec) ((RunTask) starts.get(0)).spec()).split()).isEqualTo(SPLITS.get(1));
    // Map 0's attempt has a full task timeout from the takeover to be heard from.
    next.scheduler().checkTimeouts(101);
    assertThat(settle(next)).isEmpty();
    assertThat(followerMachine.book().job(JOB).attempt(map(0, 1)).isRunning()).isTrue();
  }

  @Test
  void aNewLeaderFinishesACommittingJob() {
    JobBookMachine m = followerMachine;
    LeaderScheduler old = new LeaderScheduler(m.book(), WORK);
    old.scheduler().submit(spec(0), List.of(), List.of(), null, 1);
    Proposal p = old.afterInput(ran::addAll).orElseThrow();
    old.applied(p.seq(), m.apply(p.entry()));
    assertThat(m.book().job(JOB).state()).isEqualTo(JobState.COMMITTING);
    ran.clear();

    LeaderScheduler next = new LeaderScheduler(m.book(), WORK);
    next.takeOver(50);
    assertThat(next.afterInput(ran::addAll)).isEmpty();
    assertThat(ran).singleElement().isInstanceOf(CommitJob.class);
  }

  @Test
  void anEntryTheReplicatedBookRefusesBreaksTheCopy() {
    LeaderScheduler leader = new LeaderScheduler(leaderMachine.book(), WORK);
    // Someone else's entry took the output directory: the copy no longer matches.
    leaderMachine.apply(JobBookMachine.encode(new JobEvent.JobAccepted(spec(),
        BookSplit.ofAll(SPLITS, null), 0)));
    register(leader, "w0", 0);
    leader.scheduler().submit(spec(), SPLITS, BookSplit.ofAll(SPLITS, null), null, 1);
    Proposal p = leader.afterInput(ran::addAll).orElseThrow();
    assertThat(leader.applied(p.seq(), leaderMachine.apply(p.entry()))).isEmpty();
    assertThat(leader.broken()).contains("refused");
    assertThat(ran).isEmpty();
  }
}
