package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.output;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.task.ReduceTaskSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reduce slow start: the decision to start reduces once a fraction of the maps is done. It takes
 * effect only for workers that can take a reduce before every map output exists ({@link
 * SchedulerSettings#reducesBeforeMapOutputs()}), which today's cannot.
 */
class SlowStartTest {
  private static final String[] HALF = {EngineKeys.REDUCE_SLOWSTART, "0.5"};

  private static SchedulerDriver threeWorkers(boolean early) {
    return new SchedulerDriver(new SchedulerSettings(2, 3_600_000, early))
        .worker("w0", "h0", 1).worker("w1", "h1", 1).worker("w2", "h2", 1);
  }

  @Test
  void reducesStartOnceHalfTheMapsAreDoneOnHalfTheSlotsAtMost() {
    SchedulerDriver d = threeWorkers(true);
    d.submit(spec("/out", 3, HALF), splits(4), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w2"));
    d.mapDone(map(0, 1), 10);
    // 1 of 4 maps done; the ready map goes first anyway.
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
    d.mapDone(map(1, 1), 20);
    // 2 of 4: reduce 0 starts with the map outputs there are.
    List<RunTask> runs = d.runs();
    assertThat(runs).extracting(r -> r.spec().id()).containsExactly(reduce(0, 1));
    assertThat(((ReduceTaskSpec) runs.get(0).spec()).inputs())
        .containsExactly(output(map(0, 1)), output(map(1, 1)));
    d.mapDone(map(2, 1), 30);
    // One reduce holds max(1, 3 slots / 2) = 1: the rest wait while a map remains.
    assertThat(d.started()).isEmpty();
    d.mapDone(map(3, 1), 40);
    runs = d.runs();
    assertThat(runs).extracting(r -> r.spec().id()).containsExactly(reduce(1, 1), reduce(2, 1));
    assertThat(((ReduceTaskSpec) runs.get(0).spec()).inputs()).containsExactly(
        output(map(0, 1)), output(map(1, 1)), output(map(2, 1)), output(map(3, 1)));
  }

  @Test
  void withTodaysWorkersReducesWaitForEveryMap() {
    SchedulerDriver d = threeWorkers(false);
    d.submit(spec("/out", 3, HALF), splits(4), 0);
    d.started();
    d.mapDone(map(0, 1), 10);
    d.mapDone(map(1, 1), 20);
    d.mapDone(map(2, 1), 30);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
    d.mapDone(map(3, 1), 40);
    assertThat(d.started()).containsExactly(at(reduce(0, 1), "w0"), at(reduce(1, 1), "w1"),
        at(reduce(2, 1), "w2"));
  }

  @Test
  void theDefaultWaitsForEveryMapEvenWhereWorkersCouldStartEarly() {
    SchedulerDriver d = threeWorkers(true);
    d.submit(spec("/out", 3), splits(4), 0);
    d.started();
    d.mapDone(map(0, 1), 10);
    d.mapDone(map(1, 1), 20);
    d.mapDone(map(2, 1), 30);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
  }
}
