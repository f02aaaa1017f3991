package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.cluster.LeaderScheduler.Proposal;
import dev.quern.master.engine.BookCodec;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.Effect;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.Outcome;
import dev.quern.master.replicated.JobBookMachine;
import dev.quern.worker.actor.WorkerReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Retention on the leader: {@link Retention#due} over the book's end times, and {@link
 * LeaderScheduler#retire} proposing {@code JobRetired} entries that leave every master's book
 * equal.
 */
class RetentionTest {
  private static final Path WORK = Path.of("scratch");
  private static final List<InputSplit> SPLITS = List.of(new FileSplit("/in/a", 0, 20, List.of()));

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private final JobBookMachine leaderMachine = new JobBookMachine();
  private final JobBookMachine followerMachine = new JobBookMachine();
  private final List<Effect> ran = new ArrayList<>();

  private static JobSpec spec(String output) {
    return Job.builder("r").input("/in").output(output).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(0).build().spec();
  }

  /** The entry of the last input, applied on both machines; false if there was none. */
  private boolean settle(LeaderScheduler leader) {
    Optional<Proposal> p = leader.afterInput(ran::addAll);
    p.ifPresent(pr -> {
      byte[] result = leaderMachine.apply(pr.entry());
      followerMachine.apply(pr.entry());
      ran.addAll(leader.applied(pr.seq(), result));
    });
    assertThat(leader.broken()).isNull();
    return p.isPresent();
  }

  /** A job with no input and no reduces: accepted, committed, succeeded at {@code end}. */
  private String succeededJob(LeaderScheduler leader, String output, long end) {
    Outcome o = leader.scheduler().submit(spec(output), List.of(), List.of(), null, end - 1);
    String id = ((Outcome.Applied) o).jobId();
    settle(leader);
    leader.scheduler().commitFinished(id, end, null, end);
    settle(leader);
    assertThat(leaderMachine.book().job(id).state()).isEqualTo(JobState.SUCCEEDED);
    return id;
  }

  private List<String> ids(JobBook book) {
    return book.jobs().stream().map(BookJob::id).toList();
  }

  @Test
  void anEndedJobLeavesEveryBookOnceItsAgeIsPastTheLimit() {
    LeaderScheduler leader = new LeaderScheduler(leaderMachine.book(), WORK);
    String first = succeededJob(leader, "/out/1", 1_000);
    String second = succeededJob(leader, "/out/2", 1_500);
    Retention retention = new Retention(10, Duration.ofSeconds(2));

    assertThat(leader.retire(retention, 2_999)).as("1999 ms after its end").isZero();
    assertThat(settle(leader)).as("nothing to propose").isFalse();
    assertThat(leader.retire(retention, 3_000)).isEqualTo(1);
    assertThat(settle(leader)).isTrue();
    for (JobBookMachine m : List.of(leaderMachine, followerMachine)) {
      assertThat(ids(m.book())).containsExactly(second);
    }
    assertThat(ids(leader.scheduler().book())).containsExactly(second);
    // Proposed once: the copy no longer holds it.
    assertThat(leader.retire(retention, 3_400)).isZero();
    assertThat(leader.retire(retention, 3_500)).isEqualTo(1);
    settle(leader);
    assertThat(leaderMachine.book().jobs()).isEmpty();
    assertThat(BookCodec.snapshot(followerMachine.book()))
        .isEqualTo(BookCodec.snapshot(leaderMachine.book()));
    assertThat(leaderMachine.book().job(first)).isNull();
    // Ids go on from the count of accepted jobs.
    assertThat(leader.scheduler().submit(spec("/out/1"), List.of(), List.of(), null, 4_000))
        .isEqualTo(new Outcome.Applied("job-0003"));
    settle(leader);
  }

  @Test
  void beyondTheMostEndedJobsTheEarliestEndedLeaveFirst() {
    LeaderScheduler leader = new LeaderScheduler(leaderMachine.book(), WORK);
    String a = succeededJob(leader, "/out/a", 3_000); // accepted first, ended last
    String b = succeededJob(leader, "/out/b", 1_000);
    String c = succeededJob(leader, "/out/c", 2_000);
    Retention retention = new Retention(1, Duration.ofDays(1));
    assertThat(retention.due(leaderMachine.book(), 3_000)).containsExactly(b, c);
    assertThat(leader.retire(retention, 3_000)).isEqualTo(2);
    settle(leader);
    assertThat(ids(followerMachine.book())).containsExactly(a);
    assertThat(new Retention(1, Duration.ofDays(1)).due(leaderMachine.book(), 3_000)).isEmpty();
  }

  @Test
  void aJobThatHasNotEndedIsNeverRetired() {
    LeaderScheduler leader = new LeaderScheduler(leaderMachine.book(), WORK);
    leader.scheduler().report(new WorkerReport.Register("w0", "h", 1, null), 0);
    leader.scheduler().submit(spec("/out/run"), SPLITS, BookSplit.ofAll(SPLITS, null), null, 1);
    settle(leader);
    leader.scheduler().submit(spec("/out/commit"), List.of(), List.of(), null, 2);
    settle(leader);
    String done = succeededJob(leader, "/out/done", 3);
    assertThat(ids(leaderMachine.book())).containsExactly("job-0001", "job-0002", done);
    assertThat(leaderMachine.book().job("job-0001").state()).isEqualTo(JobState.RUNNING);
    assertThat(leaderMachine.book().job("job-0002").state()).isEqualTo(JobState.COMMITTING);

    Retention none = new Retention(0, Duration.ZERO);
    assertThat(leader.retire(none, 1_000_000)).isEqualTo(1);
    settle(leader);
    assertThat(ids(followerMachine.book())).containsExactly("job-0001", "job-0002");
    // A direct retirement of a running job is refused by the book, and the scheduler's copy
    // does not even propose it.
    assertThat(leader.scheduler().retire("job-0001", 1_000_001)).isFalse();
    assertThat(settle(leader)).isFalse();
    assertThat(leaderMachine.apply(JobBookMachine.encode(
        new JobEvent.JobRetired("job-0001", 1_000_002))))
        .isEqualTo(BookCodec.encode(new Outcome.Rejected(
            "job job-0001 cannot be retired: it is RUNNING")));
  }

  @Test
  void aDecisionRetiresAtMostABoundedNumber() {
    JobBook book = new JobBook();
    int n = Retention.MAX_PER_DECISION + 5;
    for (int i = 1; i <= n; i++) {
      book.apply(new JobEvent.JobAccepted(spec("/o/" + i), List.of(), i));
      book.apply(new JobEvent.JobFailed(JobBook.jobId(i), "x", 10_000 - i));
    }
    List<String> due = new Retention(0, Duration.ZERO).due(book, 20_000);
    assertThat(due).hasSize(Retention.MAX_PER_DECISION);
    // Earliest ended first: the last accepted ended first here.
    assertThat(due.get(0)).isEqualTo(JobBook.jobId(n));
  }
}
