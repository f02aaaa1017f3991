package dev.quern.master.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.MapDone;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leader's progress of running attempts reaches its master's job views, on apply and on
 * refresh, never bringing back an older state of the book; a master that heard no reports (a
 * follower) shows 0, and a deposed leader forgets what it heard.
 */
class ProgressViewsTest {
  private static final String JOB = "job-0001";

  public static class NoMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private static TaskAttemptId map(int index) {
    return new TaskAttemptId(JOB, TaskKind.MAP, index, 1);
  }

  private static JobBook runningJob() {
    JobSpec spec = Job.builder("p").input("/in").output("/out").mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
    JobBook book = new JobBook();
    book.apply(new JobAccepted(spec, List.of(
        new BookSplit.File(new FileSplit("/in/a", 0, 10, List.of())),
        new BookSplit.File(new FileSplit("/in/b", 0, 20, List.of()))), 1));
    book.apply(new AttemptStarted(map(0), "w1", 2));
    book.apply(new AttemptStarted(map(1), "w2", 3));
    return book;
  }

  /** A leader's and a follower's views, each with the job of {@link #runningJob} published. */
  private record Masters(JobBook book, ClusterMonitor leaderMonitor, ProgressViews leader,
      ClusterMonitor followerMonitor, ProgressViews follower) {
    static Masters withRunningJob() {
      JobBook book = runningJob();
      ClusterMonitor leaderMonitor = new ClusterMonitor();
      ProgressViews leader = new ProgressViews(leaderMonitor, 0);
      ClusterMonitor followerMonitor = new ClusterMonitor();
      ProgressViews follower = new ProgressViews(followerMonitor, 0);
      leader.publish(book.job(JOB));
      follower.publish(book.job(JOB));
      return new Masters(book, leaderMonitor, leader, followerMonitor, follower);
    }
  }

  private static TaskView task(JobView v, int index) {
    return v.maps().get(index);
  }

  private static double attemptProgress(JobView v, int index) {
    AttemptView a = task(v, index).attempts().get(0);
    assertEquals(AttemptState.RUNNING, a.state(), v::toString);
    return a.progress();
  }

  @Test
  void theLeadersViewsCarryProgressAndAFollowersShowZero() {
    Masters two = Masters.withRunningJob();
    JobBook book = two.book();
    ClusterMonitor leaderMonitor = two.leaderMonitor();
    ProgressViews leader = two.leader();
    ClusterMonitor followerMonitor = two.followerMonitor();
    ProgressViews follower = two.follower();

    leader.report(map(0), 0.5f);
    leader.refresh();
    JobView v = leaderMonitor.job(JOB).orElseThrow();
    assertEquals(0.5, attemptProgress(v, 0), 1e-6);
    assertEquals(0.5, task(v, 0).progress(), 1e-6);
    assertEquals(0.0, attemptProgress(v, 1));
    assertEquals(0.25, v.mapProgress(), 1e-6);
    assertEquals(0.0, attemptProgress(followerMonitor.job(JOB).orElseThrow(), 0));

    // The map finishes: the applied view says so, and a refresh keeps it done.
    book.apply(new MapDone(map(0), new MapOutputRef(0, map(0), "h", "/d", "/i"),
        new dev.quern.api.Counters(), 4));
    leader.publish(book.job(JOB));
    follower.publish(book.job(JOB));
    leader.report(map(1), 0.8f);
    leader.refresh();
    v = leaderMonitor.job(JOB).orElseThrow();
    assertEquals(TaskState.DONE, task(v, 0).state());
    assertEquals(1.0, task(v, 0).progress());
    assertEquals(0.8, attemptProgress(v, 1), 1e-6);
    assertEquals(0.9, v.mapProgress(), 1e-6);
    JobView f = followerMonitor.job(JOB).orElseThrow();
    assertEquals(0.0, attemptProgress(f, 1));
    assertEquals(0.5, f.mapProgress(), 1e-6);

    // Applied again (another entry of the job), the leader's view keeps the progress it knows.
    leader.publish(book.job(JOB));
    assertEquals(0.8, attemptProgress(leaderMonitor.job(JOB).orElseThrow(), 1), 1e-6);

    // Deposed, it forgets: its view shows what a follower's does.
    leader.clear();
    v = leaderMonitor.job(JOB).orElseThrow();
    assertEquals(0.0, attemptProgress(v, 1));
    assertEquals(0.5, v.mapProgress(), 1e-6);
  }

  /**
   * A follower shows the leader's progress once it heard it ({@link ProgressViews#fromLeader}):
   * the same fractions as the leader's views, attempts the leader no longer lists lose theirs;
   * and while the leader does not answer it shows the book's state (0) with a note saying so.
   */
  @Test
  void aFollowerShowsTheLeadersProgressAndTheBooksWithANoteWhenTheLeaderIsSilent() {
    Masters two = Masters.withRunningJob();
    JobBook book = two.book();
    ClusterMonitor leaderMonitor = two.leaderMonitor();
    ProgressViews leader = two.leader();
    ClusterMonitor followerMonitor = two.followerMonitor();
    ProgressViews follower = two.follower();
    leader.report(map(0), 0.5f);
    leader.report(map(1), 0.25f);
    leader.refresh();

    java.util.Map<TaskAttemptId, Float> answer = new java.util.HashMap<>();
    leader.snapshot().forEach((id, f) -> answer.put(TaskAttemptId.parse(id), f));
    follower.fromLeader(answer);
    JobView l = leaderMonitor.job(JOB).orElseThrow();
    JobView f = followerMonitor.job(JOB).orElseThrow();
    assertEquals(l.mapProgress(), f.mapProgress(), 1e-9);
    assertEquals(0.5, attemptProgress(f, 0), 1e-6);
    assertEquals(0.25, attemptProgress(f, 1), 1e-6);
    assertEquals(null, follower.note());

    // The leader no longer lists map 1 (its report of the end is on its way into the log).
    follower.fromLeader(java.util.Map.of(map(0), 0.75f));
    f = followerMonitor.job(JOB).orElseThrow();
    assertEquals(0.75, attemptProgress(f, 0), 1e-6);
    assertEquals(0.0, attemptProgress(f, 1));

    follower.leaderUnreachable("leader m1 at 127.0.0.1:1 did not answer");
    f = followerMonitor.job(JOB).orElseThrow();
    assertEquals(0.0, attemptProgress(f, 0));
    assertEquals(0.0, f.mapProgress());
    org.assertj.core.api.Assertions.assertThat(follower.note())
        .contains("leader m1 at 127.0.0.1:1 did not answer").contains("book");
    follower.fromLeader(java.util.Map.of(map(0), 0.8f));
    assertEquals(null, follower.note());
    assertEquals(0.8, attemptProgress(followerMonitor.job(JOB).orElseThrow(), 0), 1e-6);
  }
}
