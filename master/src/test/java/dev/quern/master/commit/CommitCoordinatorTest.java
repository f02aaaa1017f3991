package dev.quern.master.commit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Counters;
import dev.quern.api.Job;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.JobBook;
import dev.quern.master.engine.JobEvent;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitCoordinatorTest {
  private static final String JOB = "job-0001";

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private static TaskAttemptId attempt(int n) {
    return new TaskAttemptId(JOB, TaskKind.MAP, 0, n);
  }

  /** A map-only job (its maps write output) with two attempts of map 0 running. */
  private static JobBook twoRunningAttempts() {
    JobBook book = new JobBook();
    book.apply(new JobEvent.JobAccepted(Job.builder("c").input("/in").output("/out")
        .mapper(NoMapper.class).mapOutput(String.class, Long.class).reduceTasks(0).build()
        .spec(), List.of(new BookSplit.File(new FileSplit("/in/a", 0, 1, List.of()))), 1));
    book.apply(new JobEvent.AttemptStarted(attempt(1), "w0", 2));
    book.apply(new JobEvent.AttemptStarted(attempt(2), "w1", 3));
    return book;
  }

  private static CommitCoordinator.Decision ask(JobBook book, int n) {
    CommitCoordinator.Decision d = CommitCoordinator.decide(book.job(JOB), attempt(n));
    if (d.record()) {
      book.apply(new JobEvent.CommitGranted(attempt(n), 10));
    }
    return d;
  }

  @Test
  void theFirstAskerWinsAndTheSecondIsDenied() {
    JobBook book = twoRunningAttempts();
    assertThat(ask(book, 2)).isEqualTo(new CommitCoordinator.Decision(true, true, null));
    CommitCoordinator.Decision second = ask(book, 1);
    assertThat(second.grant()).isFalse();
    assertThat(second.reason()).isEqualTo("task m-00000 is being committed by " + attempt(2));
    assertThat(ask(book, 2)).as("asking again is idempotent")
        .isEqualTo(new CommitCoordinator.Decision(true, false, null));

    book.apply(new JobEvent.TaskCommitted(attempt(2), new Counters(), 11));
    assertThat(ask(book, 1).grant()).isFalse();
    assertThat(book.job(JOB).maps().get(0).committedAttempt()).isEqualTo(attempt(2));
  }

  @Test
  void aGrantHolderThatIsLostReleasesTheGrant() {
    JobBook book = twoRunningAttempts();
    assertThat(ask(book, 1).grant()).isTrue();
    book.apply(new JobEvent.AttemptKilled(attempt(1), "worker w0 was lost", 12));
    assertThat(ask(book, 2)).isEqualTo(new CommitCoordinator.Decision(true, true, null));
  }

  @Test
  void nothingIsGrantedInAnEndedJob() {
    JobBook book = twoRunningAttempts();
    book.apply(new JobEvent.JobKilled(JOB, 5));
    CommitCoordinator.Decision d = ask(book, 1);
    assertThat(d.grant()).isFalse();
    assertThat(d.reason()).isEqualTo("job " + JOB + " ended KILLED");
  }
}
