package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.Mapper;
import dev.quern.api.TaskCounter;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.JobEvent.AttemptFailed;
import dev.quern.master.engine.JobEvent.AttemptKilled;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.CommitGranted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobCommitting;
import dev.quern.master.engine.JobEvent.JobSucceeded;
import dev.quern.master.engine.JobEvent.MapDone;
import dev.quern.master.engine.JobEvent.MapOutputLost;
import dev.quern.master.engine.JobEvent.TaskCommitted;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.master.engine.Outcome.Applied;
import dev.quern.master.engine.Outcome.Rejected;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobBookTest {
  private static final String JOB = "job-0001";

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  static JobSpec spec() {
    return Job.builder("book").input("/in").output("/out").mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
  }

  static List<BookSplit> splits() {
    return List.of(new BookSplit.File(new FileSplit("/in/a", 0, 10, List.of())),
        new BookSplit.File(new FileSplit("/in/b", 0, 20, List.of())));
  }

  static TaskAttemptId map(int index, int attempt) {
    return new TaskAttemptId(JOB, TaskKind.MAP, index, attempt);
  }

  static TaskAttemptId reduce(int attempt) {
    return new TaskAttemptId(JOB, TaskKind.REDUCE, 0, attempt);
  }

  static MapOutputRef out(TaskAttemptId a) {
    return new MapOutputRef(a.taskIndex(), a, "localhost", "/w/" + a.dirName() + ".data",
        "/w/" + a.dirName() + ".index");
  }

  static Counters records(long n) {
    Counters c = new Counters();
    c.increment(TaskCounter.MAP_INPUT_RECORDS, n);
    return c;
  }

  /** A whole job's life: a failure, a lost map output, a denied second attempt, the commit. */
  static List<JobEvent> history() {
    List<JobEvent> h = new ArrayList<>();
    h.add(new JobAccepted(spec(), splits(), 1000));
    h.add(new AttemptStarted(map(1, 1), "w0", 1001));
    h.add(new AttemptStarted(map(0, 1), "w1", 1002));
    h.add(new AttemptFailed(map(1, 1), "boom", "trace", 1003));
    h.add(new AttemptStarted(map(1, 2), "w0", 1004));
    h.add(new MapDone(map(0, 1), out(map(0, 1)), records(5), 1005));
    h.add(new MapDone(map(1, 2), out(map(1, 2)), records(7), 1006));
    h.add(new AttemptStarted(reduce(1), "w0", 1007));
    h.add(new MapOutputLost(reduce(1), 0, map(0, 1), "checksum mismatch", 1008));
    h.add(new AttemptStarted(map(0, 2), "w1", 1009));
    h.add(new MapDone(map(0, 2), out(map(0, 2)), records(5), 1010));
    h.add(new AttemptStarted(reduce(2), "w0", 1011));
    h.add(new AttemptStarted(reduce(3), "w1", 1012));
    h.add(new CommitGranted(reduce(3), 1013));
    h.add(new AttemptKilled(reduce(2), "commit denied", 1014));
    h.add(new TaskCommitted(reduce(3), new Counters(), 1015));
    h.add(new JobCommitting(JOB, 1016));
    h.add(new JobSucceeded(JOB, 1017));
    return h;
  }

  @Test
  void aJobsHistoryBuildsTheExpectedBook() {
    JobBook book = new JobBook();
    history().forEach(book::apply);
    BookJob job = book.job(JOB);

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.submitTime()).isEqualTo(1000);
    assertThat(job.startTime()).isEqualTo(1001);
    assertThat(job.endTime()).isEqualTo(1017);
    assertThat(job.maps().get(0).attempts()).extracting(BookAttempt::state)
        .containsExactly(AttemptState.OUTPUT_LOST, AttemptState.SUCCEEDED);
    assertThat(job.maps().get(0).mapOutput()).isEqualTo(out(map(0, 2)));
    assertThat(job.maps().get(1).failures()).isEqualTo(1);
    assertThat(job.reduces().get(0).committedAttempt()).isEqualTo(reduce(3));
    assertThat(job.reduces().get(0).inputLosses()).isEqualTo(1);
    Counters c = job.counters();
    assertThat(c.get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(12);
    assertThat(c.get(TaskCounter.LAUNCHED_MAP_ATTEMPTS)).isEqualTo(4);
    assertThat(c.get(TaskCounter.FAILED_MAP_ATTEMPTS)).isEqualTo(1);
    assertThat(c.get(TaskCounter.LAUNCHED_REDUCE_ATTEMPTS)).isEqualTo(3);
    assertThat(c.get(TaskCounter.FAILED_REDUCE_ATTEMPTS)).isEqualTo(1);
  }

  @Test
  void replayingEveryPrefixGivesTheSameBookAsApplyingLive() {
    List<JobEvent> h = history();
    JobBook live = new JobBook();
    for (int i = 0; i < h.size(); i++) {
      live.apply(h.get(i));
      JobBook replayed = new JobBook();
      h.subList(0, i + 1).forEach(replayed::apply);
      assertThat(JobViews.of(replayed.job(JOB), Map.of()))
          .as("after event %d: %s", i, h.get(i))
          .isEqualTo(JobViews.of(live.job(JOB), Map.of()));
    }
  }

  @Test
  void eventsThatDoNotFitAreRejectedAndChangeNothing() {
    JobBook book = new JobBook();
    assertThat(book.apply(new JobAccepted(spec(), splits(), 1))).isEqualTo(new Applied(JOB));
    assertRejected(book, new AttemptStarted(map(0, 2), "w", 2), "expects attempt 1");
    assertThat(book.apply(new AttemptStarted(map(0, 1), "w", 2))).isEqualTo(new Applied(JOB));
    assertRejected(book, new JobCommitting(JOB, 3), "tasks remain");
    book.apply(new AttemptStarted(reduce(1), "w", 3));
    book.apply(new CommitGranted(reduce(1), 4));
    book.apply(new AttemptStarted(reduce(2), "w", 5));
    assertRejected(book, new CommitGranted(reduce(2), 6), "held by " + reduce(1));
    assertRejected(book, new TaskCommitted(reduce(2), new Counters(), 7),
        "without holding the grant");
    assertRejected(book, new MapOutputLost(reduce(2), 5, map(0, 1), "gone", 7), "has no map 5");
    assertRejected(book, new MapDone(map(1, 1), out(map(1, 1)), new Counters(), 7),
        "is not running");
    assertRejected(book, new JobSucceeded(JOB, 7), "without committing");
    assertRejected(book, new AttemptKilled(new TaskAttemptId("job-0009", TaskKind.MAP, 0, 1), "x", 7),
        "unknown job job-0009");
    assertThat(book.apply(new JobKilled(JOB, 8))).isEqualTo(new Applied(JOB));
    assertThat(book.job(JOB).runningAttempts()).isEmpty();
    assertRejected(book, new AttemptStarted(map(1, 1), "w", 9), "already ended KILLED");
  }

  @Test
  void applyNeverThrowsEvenOnNonsense() {
    JobBook book = new JobBook();
    assertThat(book.apply(null)).isInstanceOf(Rejected.class);
    assertThat(book.apply(new JobAccepted(null, splits(), 1))).isInstanceOf(Rejected.class);
    assertThat(book.apply(new AttemptStarted(null, "w", 1))).isInstanceOf(Rejected.class);
    assertThat(book.jobs()).isEmpty();
    assertThat(book.accepted()).isZero();
  }

  @Test
  void jobIdsComeFromTheBookInAcceptanceOrder() {
    JobBook book = new JobBook();
    assertThat(book.apply(new JobAccepted(spec("/out/1"), splits(), 1)))
        .isEqualTo(new Applied("job-0001"));
    assertThat(book.apply(new JobAccepted(spec("/out/1"), splits(), 2)))
        .as("a rejected job takes no id").isInstanceOf(Rejected.class);
    assertThat(book.apply(new JobAccepted(spec("/out/2"), splits(), 3)))
        .isEqualTo(new Applied("job-0002"));
    assertThat(book.accepted()).isEqualTo(2);
    assertThat(book.jobs()).extracting(BookJob::id).containsExactly("job-0001", "job-0002");
  }

  @Test
  void aLiveJobHoldsItsOutputDirectoryUntilItEnds() {
    JobBook book = new JobBook();
    book.apply(new JobAccepted(spec("/data/out"), splits(), 1));
    for (String same : List.of("/data/out", "/data/out/", "//data//out", "/data/./x/../out")) {
      Outcome o = book.apply(new JobAccepted(spec(same), splits(), 2));
      assertThat(o).as(same).isInstanceOf(Rejected.class);
      assertThat(((Rejected) o).reason()).contains("held by job-0001");
    }
    assertThat(book.apply(new JobAccepted(spec("/data/out2"), splits(), 3)))
        .isEqualTo(new Applied("job-0002"));
    assertThat(book.outputHolder("/data/out/")).isEqualTo("job-0001");
    book.apply(new JobEvent.JobFailed("job-0001", "no", 4));
    assertThat(book.outputHolder("/data/out")).isNull();
    assertThat(book.apply(new JobAccepted(spec("/data/out"), splits(), 5)))
        .as("an ended job's directory is free again (the submission check refuses it if the "
            + "output exists)")
        .isEqualTo(new Applied("job-0003"));
  }

  @Test
  void anEndedJobRetiresWithItsTasksAndAttemptsAndOnlyAnEndedOne() {
    JobBook book = new JobBook();
    history().forEach(book::apply); // job-0001 succeeded
    book.apply(new JobAccepted(spec("/out/2"), splits(), 2000));
    book.apply(new AttemptStarted(new TaskAttemptId("job-0002", TaskKind.MAP, 0, 1), "w", 2001));
    assertRejected(book, new JobEvent.JobRetired("job-0002", 2002), "it is RUNNING");
    assertRejected(book, new JobEvent.JobRetired("job-0009", 2002), "unknown job job-0009");
    assertRejected(book, new JobEvent.JobRetired(null, 2002), "unknown job null");
    assertThat(book.outputHolder("/out/2")).isEqualTo("job-0002");

    assertThat(book.apply(new JobEvent.JobRetired(JOB, 2003))).isEqualTo(new Applied(JOB));
    assertThat(book.job(JOB)).isNull();
    assertThat(book.jobs()).extracting(BookJob::id).containsExactly("job-0002");
    assertThat(book.accepted()).isEqualTo(2);
    assertThat(book.outputHolder("/out/2")).isEqualTo("job-0002");
    // Its attempts went with it: an event about one is about an unknown job.
    assertRejected(book, new AttemptStarted(map(0, 3), "w", 2004), "unknown job " + JOB);
    assertRejected(book, new JobEvent.JobRetired(JOB, 2005), "unknown job " + JOB);
    assertThat(book.apply(new JobAccepted(spec("/out"), splits(), 2006)))
        .as("ids are not reused, and the retired job's directory is free")
        .isEqualTo(new Applied("job-0003"));

    // The same as a book that replays the same events: retiring is deterministic.
    JobBook replayed = new JobBook();
    history().forEach(replayed::apply);
    replayed.apply(new JobAccepted(spec("/out/2"), splits(), 2000));
    replayed.apply(new AttemptStarted(new TaskAttemptId("job-0002", TaskKind.MAP, 0, 1), "w",
        2001));
    replayed.apply(new JobEvent.JobRetired(JOB, 2003));
    replayed.apply(new JobAccepted(spec("/out"), splits(), 2006));
    assertThat(BookRendering.render(replayed)).isEqualTo(BookRendering.render(book));
  }

  @Test
  void outputKeysResolveDotsAndSlashesAsText() {
    assertThat(JobBook.outputKey("/a//b/./c/")).isEqualTo("/a/b/c");
    assertThat(JobBook.outputKey("/a/b/../c")).isEqualTo("/a/c");
    assertThat(JobBook.outputKey("/../a")).isEqualTo("/a");
    assertThat(JobBook.outputKey("a/../../b")).isEqualTo("../b");
    assertThat(JobBook.outputKey("out")).isEqualTo("out");
  }

  private static void assertRejected(JobBook book, JobEvent e, String reason) {
    String before = BookRendering.render(book);
    Outcome o = book.apply(e);
    assertThat(o).as("%s", e).isInstanceOf(Rejected.class);
    assertThat(((Rejected) o).reason()).contains(reason);
    assertThat(BookRendering.render(book)).as("the book after rejecting %s", e).isEqualTo(before);
  }

  static JobSpec spec(String output) {
    return Job.builder("book").input("/in").output(output).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec();
  }
}
