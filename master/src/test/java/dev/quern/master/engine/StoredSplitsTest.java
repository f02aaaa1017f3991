package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.MapTaskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cluster job whose split list is stored (by hash) rather than in the book: the book, its
 * entries and snapshots hold only the reference; the scheduler that accepted it keeps the list;
 * one that takes over schedules none of its maps until the list comes, and then all of them.
 */
class StoredSplitsTest {
  private static final List<InputSplit> SPLITS = splits(3);
  private static final List<BookSplit> PLANNED = BookSplit.ofAll(SPLITS, null);
  private static final byte[] LIST = SplitListCodec.encode(PLANNED);
  private static final StoredSplits REF = SplitListCodec.ref(LIST, PLANNED.size());

  @Test
  void aSplitListRoundTripsUnderTheHashOfItsBytes() {
    assertThat(SplitListCodec.decode(LIST)).isEqualTo(PLANNED);
    assertThat(REF.sha256()).isEqualTo(SplitListCodec.sha256(LIST)).hasSize(64);
    assertThat(REF.count()).isEqualTo(3);
    // Equal lists, equal bytes: content addressing finds a list already stored.
    assertThat(SplitListCodec.encode(BookSplit.ofAll(splits(3), null))).isEqualTo(LIST);
    assertThatThrownBy(() -> SplitListCodec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a split list");
    byte[] torn = java.util.Arrays.copyOf(LIST, LIST.length - 3);
    assertThatThrownBy(() -> SplitListCodec.decode(torn))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StoredSplits("ABC", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 lowercase hex");
  }

  @Test
  void theEntryAndTheSnapshotHoldTheReferenceNotTheSplits() {
    JobEvent.JobAccepted e = new JobEvent.JobAccepted(spec("/out", 1), REF, 7);
    byte[] entry = BookCodec.encode(e);
    assertThat(BookCodec.decodeEvent(entry)).isEqualTo(e);
    assertThat(new String(entry, StandardCharsets.ISO_8859_1)).doesNotContain("/in/f0");
    assertThat(entry[0]).as("format version").isEqualTo((byte) 4);

    JobBook book = new JobBook();
    assertThat(book.apply(e)).isInstanceOf(Outcome.Applied.class);
    BookJob job = book.job("job-0001");
    assertThat(job.maps()).hasSize(3);
    assertThat(job.splits()).isEmpty();
    assertThat(job.stored()).isEqualTo(REF);
    byte[] image = BookCodec.snapshot(book);
    assertThat(new String(image, StandardCharsets.ISO_8859_1)).doesNotContain("/in/f0");
    JobBook restored = BookCodec.restore(image);
    assertThat(restored.job("job-0001").stored()).isEqualTo(REF);
    assertThat(restored.job("job-0001").maps()).hasSize(3);
    assertThat(BookRendering.render(restored)).isEqualTo(BookRendering.render(book));
    // A view shows which split a map reads without the list.
    JobView v = JobViews.of(job, Map.of(), new dev.quern.api.Counters());
    assertThat(v.maps().get(0).input()).isEqualTo("split 0 of 3 (split list "
        + REF.sha256().substring(0, 12) + ")");
  }

  @Test
  void theBookRefusesAJobThatNamesAListAndCarriesSplitsToo() {
    JobBook book = new JobBook();
    Outcome o = book.apply(new JobEvent.JobAccepted(spec("/out", 1), PLANNED, REF, 7));
    assertThat(o).isInstanceOf(Outcome.Rejected.class);
    assertThat(book.jobs()).isEmpty();
  }

  @Test
  void theAcceptingSchedulerRunsTheMapsFromTheListItWasGiven() {
    SchedulerDriver d = new SchedulerDriver().worker("w0", "h0", 3);
    Outcome o = d.scheduler.submit(spec("/out", 1), SPLITS, PLANNED, REF, null, 0);
    assertThat(o).isInstanceOf(Outcome.Applied.class);
    assertThat(d.scheduler.book().job("job-0001").splits()).isEmpty();
    assertThat(d.scheduler.missingSplits()).isEmpty();
    List<RunTask> runs = d.runs();
    assertThat(runs).hasSize(3);
    assertThat(((MapTaskSpec) runs.get(0).spec()).split()).isEqualTo(SPLITS.get(0));
    // A list of another length than the reference says is refused before the book sees it.
    Outcome wrong = d.scheduler.submit(spec("/out2", 1), SPLITS, PLANNED,
        new StoredSplits(REF.sha256(), 4), null, 0);
    assertThat(wrong).isInstanceOf(Outcome.Rejected.class);
    assertThat(d.scheduler.book().jobs()).hasSize(1);
  }

  @Test
  void aNewLeaderSchedulesNoMapOfAJobUntilItsListArrives() {
    SchedulerDriver old = new SchedulerDriver().worker("w0", "h0", 1);
    old.scheduler.submit(spec("/out", 1), SPLITS, PLANNED, REF, null, 0);
    assertThat(old.started()).containsExactly(at(map(0, 1), "w0"));
    old.mapDone(map(0, 1), 100);
    assertThat(old.started()).containsExactly(at(map(1, 1), "w0"));

    Scheduler next = new Scheduler(BookCodec.restore(BookCodec.snapshot(old.scheduler.book())),
        Path.of("/scratch"), new JobJournal());
    next.takeOver(200);
    next.report(new WorkerReport.Register("w1", "h1", 2, null), 200);
    assertThat(next.missingSplits()).containsExactly(Map.entry("job-0001", REF));
    assertThat(next.drainEffects()).noneMatch(e -> e instanceof RunTask);
    // The old leader's map 1 still ends in the book meanwhile.
    next.report(new WorkerReport.AttemptSucceeded(map(1, 1), "w0",
        new dev.quern.worker.task.TaskResult(map(1, 1), new dev.quern.api.Counters(),
            SchedulerDriver.output(map(1, 1)))), 300);
    assertThat(next.book().job("job-0001").doneCount(dev.quern.worker.task.TaskKind.MAP))
        .isEqualTo(2);
    assertThat(next.drainEffects()).noneMatch(e -> e instanceof RunTask);

    // A list of the wrong length is not taken.
    assertThat(next.splitsArrived("job-0001", PLANNED.subList(0, 2), 400)).isFalse();
    assertThat(next.splitsArrived("job-0001", SplitListCodec.decode(LIST), 400)).isTrue();
    assertThat(next.missingSplits()).isEmpty();
    List<RunTask> runs = next.drainEffects().stream().filter(e -> e instanceof RunTask)
        .map(e -> (RunTask) e).toList();
    assertThat(runs).extracting(r -> r.spec().id() + "@" + r.workerId())
        .containsExactly(at(map(2, 1), "w1"));
    assertThat(((MapTaskSpec) runs.get(0).spec()).split())
        .isEqualTo(new FileSplit("/in/f2", 0, 100, List.of()));
    assertThat(next.splitsArrived("job-0001", PLANNED, 500)).as("already there").isFalse();
  }
}
