package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.JobEvent.WorkerOutputsLost;
import org.junit.jupiter.api.Test;

/**
 * In a cluster of processes a worker's map outputs die with it: the maps whose output it held run
 * again at once, with no reduce charged for the loss; in local mode they outlive it.
 */
class WorkerOutputsLostTest {

  @Test
  void aDeadWorkersMapOutputsRunAgainAtOnceInACluster() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER)
        .worker("w0", "h0", 1).worker("w1", "h1", 1);
    String job = d.submit(spec("/out", 1), splits(3), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"));
    d.mapDone(map(0, 1), 1);
    d.mapDone(map(1, 1), 2);
    assertThat(d.started()).containsExactly(at(map(2, 1), "w0"));
    d.mapDone(map(2, 1), 3);
    assertThat(d.started()).containsExactly(at(reduce(0, 1), "w0"));

    // w0 dies: its running reduce and the outputs of maps 0 and 2 are gone; map 1's, on w1, stay.
    d.scheduler.workerGone("w0", 4);
    BookJob b = d.scheduler.book().job(job);
    assertThat(b.task(map(0, 1)).isDone()).isFalse();
    assertThat(b.task(map(2, 1)).isDone()).isFalse();
    assertThat(b.task(map(1, 1)).isDone()).isTrue();
    assertThat(b.attempt(map(0, 1)).state()).isEqualTo(AttemptState.OUTPUT_LOST);
    assertThat(b.task(reduce(0, 1)).inputLosses()).isZero();
    assertThat(d.started()).containsExactly(at(map(0, 2), "w1"));
    d.mapDone(map(0, 2), 5);
    assertThat(d.started()).containsExactly(at(map(2, 2), "w1"));
    d.mapDone(map(2, 2), 6);
    assertThat(d.started()).containsExactly(at(reduce(0, 2), "w1"));
  }

  @Test
  void inLocalModeTheOutputsOutliveTheirWorker() {
    SchedulerDriver d = new SchedulerDriver().worker("w0", "h0", 1).worker("w1", "h1", 1);
    String job = d.submit(spec("/out", 1), splits(2), 0);
    d.mapDone(map(0, 1), 1);
    d.mapDone(map(1, 1), 2);
    assertThat(d.started()).hasSize(3); // both maps, then the reduce
    d.scheduler.workerGone("w0", 3);
    BookJob b = d.scheduler.book().job(job);
    assertThat(b.allMapsDone()).isTrue();
  }

  @Test
  void theEventTravelsAsAVersion2EntryAndAMapOnlyJobRefusesIt() {
    WorkerOutputsLost e = new WorkerOutputsLost("job-0001", "w3", "worker w3 was lost", 42);
    byte[] bytes = BookCodec.encode(e);
    assertThat(bytes[0]).isEqualTo((byte) 2);
    assertThat(BookCodec.decodeEvent(bytes)).isEqualTo(e);

    JobBook book = new JobBook();
    book.apply(new JobEvent.JobAccepted(spec("/m", 0), BookSplit.ofAll(splits(1), null), 0));
    assertThat(book.apply(e)).isInstanceOf(Outcome.Rejected.class);
  }
}
