package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.output;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.MapOutputsChanged;
import dev.quern.master.engine.Effect.RunTask;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reduce slow start: the decision to start reduces once a fraction of the maps is done, and the
 * map outputs a reduce started early hears of afterwards (new ones, and withdrawn ones whose map
 * runs again). It takes effect only for workers that can take a reduce before every map output
 * exists ({@link SchedulerSettings#reducesBeforeMapOutputs()}, true by default).
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
  void aReduceStartedEarlyHearsOfEachLaterMapOutput() {
    SchedulerDriver d = threeWorkers(true);
    d.submit(spec("/out", 3, HALF), splits(4), 0);
    d.started();
    d.mapDone(map(0, 1), 10);
    d.started();
    d.mapDone(map(1, 1), 20);
    RunTask run = d.runs().get(0);
    ReduceTaskSpec r = (ReduceTaskSpec) run.spec();
    assertThat(r.id()).isEqualTo(reduce(0, 1));
    assertThat(r.mapCount()).isEqualTo(4);
    assertThat(r.complete()).isFalse();
    d.mapDone(map(2, 1), 30);
    assertThat(changes(d)).containsExactly(new MapOutputsChanged(run.workerId(), reduce(0, 1),
        List.of(output(map(2, 1))), List.of()));
    d.mapDone(map(3, 1), 40);
    List<Effect> effects = d.effects();
    assertThat(effects).filteredOn(e -> e instanceof MapOutputsChanged).containsExactly(
        new MapOutputsChanged(run.workerId(), reduce(0, 1), List.of(output(map(3, 1))),
            List.of()));
    // The reduces that start now start with every output, and hear of nothing later.
    assertThat(effects).filteredOn(e -> e instanceof RunTask)
        .allSatisfy(e -> assertThat(((ReduceTaskSpec) ((RunTask) e).spec()).complete()).isTrue());
  }

  @Test
  void aMapThatRunsAgainWithdrawsItsOldOutputAndSendsItsNewOne() {
    // A cluster: map outputs are lost with their worker.
    SchedulerDriver d = new SchedulerDriver(new SchedulerSettings(2, 3_600_000, true, true))
        .worker("w0", "h0", 1).worker("w1", "h1", 1).worker("w2", "h2", 1);
    d.submit(spec("/out", 3, HALF), splits(4), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w2"));
    d.mapDone(map(0, 1), 10);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
    d.mapDone(map(1, 1), 20);
    assertThat(d.started()).containsExactly(at(reduce(0, 1), "w1"));
    // w0 held map 0's output and ran map 3: map 0's output is withdrawn from the reduce.
    d.scheduler.workerGone("w0", 25);
    assertThat(changes(d)).containsExactly(
        new MapOutputsChanged("w1", reduce(0, 1), List.of(), List.of(map(0, 1))));
    d.mapDone(map(2, 1), 30);
    List<Effect> effects = d.effects();
    assertThat(effects).filteredOn(e -> e instanceof MapOutputsChanged).containsExactly(
        new MapOutputsChanged("w1", reduce(0, 1), List.of(output(map(2, 1))), List.of()));
    assertThat(effects).filteredOn(e -> e instanceof RunTask)
        .extracting(e -> at(((RunTask) e).spec().id(), ((RunTask) e).workerId()))
        .containsExactly(at(map(0, 2), "w2"));
    d.mapDone(map(0, 2), 40);
    // The re-run's output replaces the lost one.
    assertThat(changes(d)).containsExactly(
        new MapOutputsChanged("w1", reduce(0, 1), List.of(output(map(0, 2))), List.of()));
  }

  @Test
  void aReduceFindingAnOutputLostWithdrawsItFromTheOtherRunningReduces() {
    SchedulerDriver d = threeWorkers(true);
    d.submit(spec("/out", 2, EngineKeys.REDUCE_SLOWSTART, "0"), splits(1), 0);
    d.started();
    // Slow start 0: reduces start at once, on at most half the slots (1 of 3) while a map runs.
    d.mapDone(map(0, 1), 10);
    List<RunTask> runs = d.runs();
    assertThat(runs).extracting(r -> r.spec().id()).contains(reduce(1, 1));
    String w1 = runs.stream().filter(r -> r.spec().id().equals(reduce(1, 1))).findFirst()
        .orElseThrow().workerId();
    d.scheduler.report(new dev.quern.worker.actor.WorkerReport.AttemptFailed(reduce(0, 1),
        d.worker(reduce(0, 1)), "lost", null, output(map(0, 1))), 20);
    assertThat(changes(d)).containsExactly(
        new MapOutputsChanged(w1, reduce(1, 1), List.of(), List.of(map(0, 1))));
  }

  /**
   * A new leader's scheduler starts with no worker: the map outputs it owes the reduces that the
   * old leader started early go out once each reduce's worker registers, not at the takeover,
   * where they would be addressed to workers not known yet (a cluster's leader drops those, and
   * the reduce waits forever for the map that finished while no leader told it).
   */
  @Test
  void aNewLeaderTellsAReduceStartedEarlyEveryOutputOnceItsWorkerRegisters() {
    SchedulerDriver old = new SchedulerDriver(SchedulerSettings.CLUSTER)
        .worker("w0", "h0", 1).worker("w1", "h1", 1).worker("w2", "h2", 1);
    old.submit(spec("/out", 3, HALF), splits(4), 0);
    old.started();
    old.mapDone(map(0, 1), 10);
    old.mapDone(map(1, 1), 20);
    assertThat(old.started()).containsExactly(at(map(3, 1), "w0"), at(reduce(0, 1), "w1"));
    // Map 2's end is in the book; the old leader dies before its message reaches the reduce.
    old.mapDone(map(2, 1), 30);

    Scheduler next = new Scheduler(BookCodec.restore(BookCodec.snapshot(old.scheduler.book())),
        java.nio.file.Path.of("/scratch"), new JobJournal(), SchedulerSettings.CLUSTER);
    next.takeOver(100);
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof MapOutputsChanged).isEmpty();
    next.report(new WorkerReport.Register("w0", "h0", 1, null), 110);
    next.report(new WorkerReport.AttemptRunning(map(3, 1), "w0"), 110);
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof MapOutputsChanged).isEmpty();
    next.report(new WorkerReport.Register("w1", "h1", 1, null), 120);
    next.report(new WorkerReport.AttemptRunning(reduce(0, 1), "w1"), 120);
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof MapOutputsChanged)
        .containsExactly(new MapOutputsChanged("w1", reduce(0, 1), List.of(output(map(0, 1)),
            output(map(1, 1)), output(map(2, 1))), List.of()));
    // Told once: later inputs do not repeat it.
    next.report(new WorkerReport.Register("w2", "h2", 1, null), 130);
    assertThat(next.drainEffects()).filteredOn(e -> e instanceof MapOutputsChanged).isEmpty();
  }

  /**
   * The relaunch loop ClusterSlowStartTest met: a worker counted lost (its heartbeats were late)
   * while it ran a map and a reduce started early comes back still running both. The book ended
   * them, so no one tells the reduce of map outputs any more and it holds its slot for good;
   * registering the worker with all its slots free sent new attempts there, each refused ("no
   * free slot") and launched there again, without end. Here the worker is played by the test
   * (two slots, refusing a third attempt) for a bounded number of rounds.
   */
  @Test
  void aWorkerBackFromTheDeadStopsTheReduceItStartedEarlyBeforeItTakesNewAttempts() {
    SchedulerDriver d = new SchedulerDriver(SchedulerSettings.CLUSTER)
        .worker("w0", "h0", 2).worker("w1", "h1", 2);
    d.submit(spec("/out", 2, EngineKeys.REDUCE_SLOWSTART, "0"), splits(3), 0);
    // Three maps, and a reduce on the fourth slot before any map is done.
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w0"), at(reduce(0, 1), "w1"));
    d.scheduler.workerGone("w1", 10);
    assertThat(d.effects()).filteredOn(e -> e instanceof RunTask).isEmpty(); // w0 is full

    // w1 was only slow: it still runs both, and says so as it registers again.
    Set<TaskAttemptId> onW1 = new LinkedHashSet<>(List.of(map(1, 1), reduce(0, 1)));
    d.scheduler.strays("w1", List.copyOf(onW1), 20);
    d.scheduler.report(new WorkerReport.Register("w1", "h1", 2, null), 20);
    int refused = 0;
    for (int round = 0; round < 50; round++) {
      List<Effect> effects = d.effects();
      if (effects.isEmpty()) {
        break;
      }
      for (Effect e : effects) {
        if (e instanceof Effect.KillTask k && k.workerId().equals("w1")
            && onW1.remove(k.attempt())) {
          d.scheduler.report(new WorkerReport.AttemptKilled(k.attempt(), "w1", k.reason()), 30);
        } else if (e instanceof RunTask r && r.workerId().equals("w1")) {
          if (onW1.size() >= 2) {
            refused++;
            d.scheduler.report(new WorkerReport.AttemptKilled(r.spec().id(), "w1",
                "worker w1 has no free slot"), 30);
          } else {
            onW1.add(r.spec().id());
          }
        }
      }
    }
    assertThat(refused).as("attempts w1 refused for want of a slot").isZero();
    assertThat(onW1).containsExactly(map(1, 2), reduce(0, 2));
    assertThat(d.scheduler.book().job(SchedulerDriver.JOB).task(TaskKind.MAP, 1).attempts())
        .hasSize(2);
  }

  /** The map output updates among the effects since the last call. */
  private static List<Effect> changes(SchedulerDriver d) {
    return d.effects().stream().filter(e -> e instanceof MapOutputsChanged).toList();
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
