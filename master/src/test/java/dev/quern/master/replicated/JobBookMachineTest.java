package dev.quern.master.replicated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.Job;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.JobEvent;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.master.engine.JobViews;
import dev.quern.master.engine.Outcome;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobBookMachineTest {

  public static class NoMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long k, String v, dev.quern.api.Context<String, Long> ctx) {}
  }

  private static JobAccepted accept(String output) {
    return new JobAccepted(Job.builder("m").input("/in").output(output).mapper(NoMapper.class)
        .mapOutput(String.class, Long.class).reduceTasks(1).build().spec(),
        List.of(new BookSplit.File(new FileSplit("/in/a", 0, 10, List.of()))), 1);
  }

  private static Outcome apply(JobBookMachine m, JobEvent e) {
    return JobBookMachine.decodeOutcome(m.apply(JobBookMachine.encode(e)));
  }

  @Test
  void appliesEntriesAndAnswersWithTheOutcome() {
    JobBookMachine m = new JobBookMachine();
    assertThat(apply(m, accept("/out/x"))).isEqualTo(new Outcome.Applied("job-0001"));
    assertThat(apply(m, accept("/out/x"))).isInstanceOf(Outcome.Rejected.class);
    TaskAttemptId a = new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1);
    assertThat(apply(m, new AttemptStarted(a, "w0", 2)))
        .isEqualTo(new Outcome.Applied("job-0001"));
    assertThat(apply(m, new AttemptStarted(a, "w0", 3)))
        .isEqualTo(new Outcome.Rejected("cannot start job-0001/m-00000/1: task expects "
            + "attempt 2"));
    assertThat(m.book().job("job-0001").runningAttempts()).hasSize(1);
  }

  @Test
  void aBatchAppliesEachEventInOrderWithItsOwnOutcome() {
    JobBookMachine m = new JobBookMachine();
    TaskAttemptId a = new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1);
    byte[] batch = JobBookMachine.encodeBatch(List.of(accept("/out/b"), accept("/out/b"),
        new AttemptStarted(a, "w0", 2)));
    List<Outcome> outcomes = JobBookMachine.decodeOutcomes(m.apply(batch));
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(0)).isEqualTo(new Outcome.Applied("job-0001"));
    assertThat(outcomes.get(1)).isInstanceOf(Outcome.Rejected.class);
    assertThat(outcomes.get(2)).isEqualTo(new Outcome.Applied("job-0001"));
    assertThat(m.book().job("job-0001").runningAttempts()).hasSize(1);
    // A damaged batch is refused whole, and nothing of it is applied.
    byte[] cut = java.util.Arrays.copyOf(JobBookMachine.encodeBatch(List.of(accept("/out/c"))),
        12);
    assertThat(JobBookMachine.decodeOutcomes(m.apply(cut))).singleElement()
        .isInstanceOf(Outcome.Rejected.class);
    assertThat(m.book().jobs()).hasSize(1);
  }

  @Test
  void anUndecodableEntryIsRejectedNotThrown() {
    JobBookMachine m = new JobBookMachine();
    for (byte[] junk : List.of(new byte[0], new byte[] {1}, new byte[] {9, 1, 2},
        new byte[] {1, 12, 0, 0})) {
      Outcome o = JobBookMachine.decodeOutcome(m.apply(junk));
      assertThat(o).isInstanceOf(Outcome.Rejected.class);
      assertThat(((Outcome.Rejected) o).reason()).startsWith("undecodable entry");
    }
    assertThat(m.book().jobs()).isEmpty();
  }

  @Test
  void aRestoredMachineCarriesOnAsTheOriginal() {
    JobBookMachine m = new JobBookMachine();
    apply(m, accept("/out/a"));
    apply(m, new AttemptStarted(new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1), "w", 2));
    apply(m, accept("/out/b"));
    apply(m, new JobKilled("job-0002", 3));

    JobBookMachine other = new JobBookMachine();
    apply(other, accept("/out/zzz")); // replaced by the restore
    other.restore(m.snapshot());
    assertThat(JobViews.of(other.book().job("job-0001"), Map.of()))
        .isEqualTo(JobViews.of(m.book().job("job-0001"), Map.of()));
    assertThat(other.book().job("job-0003")).isNull();
    for (JobBookMachine x : List.of(m, other)) {
      assertThat(apply(x, accept("/out/a"))).as("/out/a is still held")
          .isInstanceOf(Outcome.Rejected.class);
      assertThat(apply(x, accept("/out/b"))).isEqualTo(new Outcome.Applied("job-0003"));
    }
    assertThat(other.snapshot()).isEqualTo(m.snapshot());
    assertThatThrownBy(() -> other.restore(new byte[] {0})).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void aRetirementRemovesTheJobAndTellsTheListenerItsLastState() {
    List<String> heard = new java.util.ArrayList<>();
    BookListener listener = new BookListener() {
      @Override
      public void applied(dev.quern.master.engine.JobBook book, java.util.Set<String> ids) {
        heard.add("applied " + ids + " book " + book.jobs().size());
      }

      @Override
      public void restored(dev.quern.master.engine.JobBook book) {
        heard.add("restored");
      }

      @Override
      public void retired(List<dev.quern.master.engine.BookJob> jobs) {
        jobs.forEach(j -> heard.add("retired " + j.id() + " " + j.state() + " "
            + j.spec().outputPath()));
      }
    };
    JobBookMachine m = new JobBookMachine(listener);
    apply(m, accept("/out/a"));
    apply(m, accept("/out/b"));
    heard.clear();
    assertThat(apply(m, new JobEvent.JobRetired("job-0002", 3)))
        .isEqualTo(new Outcome.Rejected("job job-0002 cannot be retired: it is ACCEPTED"));
    assertThat(heard).isEmpty();

    byte[] batch = JobBookMachine.encodeBatch(List.of(new JobKilled("job-0002", 4),
        new JobEvent.JobRetired("job-0002", 5), new JobEvent.JobRetired("job-0002", 6)));
    assertThat(JobBookMachine.decodeOutcomes(m.apply(batch))).containsExactly(
        new Outcome.Applied("job-0002"), new Outcome.Applied("job-0002"),
        new Outcome.Rejected("unknown job job-0002"));
    assertThat(heard).containsExactly("applied [job-0002] book 1",
        "retired job-0002 KILLED /out/b");
    assertThat(m.book().job("job-0002")).isNull();

    JobBookMachine other = new JobBookMachine();
    other.restore(m.snapshot());
    assertThat(other.book().jobs()).extracting(j -> j.id()).containsExactly("job-0001");
    assertThat(other.book().accepted()).isEqualTo(2);
  }
}
