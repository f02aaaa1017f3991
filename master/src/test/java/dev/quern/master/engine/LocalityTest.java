package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.JOB;
import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static dev.quern.master.engine.SchedulerDriver.splitsOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.TaskCounter;
import dev.quern.master.engine.Effect.CommitJob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Maps go to a worker on a host of their split's blocks when one is free, wait for one up to
 * {@code quern.locality.wait} (delay scheduling), then take any; the job counts where they ran.
 * Workers report the host names "alpha", "beta" and "gamma".
 */
class LocalityTest {
  private final SchedulerDriver d = new SchedulerDriver()
      .worker("w0", "alpha", 1).worker("w1", "beta", 1).worker("w2", "gamma", 1);

  /** Map 0 (largest) on beta, 1 on gamma, 2 on alpha, 3 on beta and gamma. */
  private void submit() {
    d.submit(spec("/out", 1, EngineKeys.LOCALITY_WAIT, "3s"), splitsOn(List.of(
        List.of("beta"), List.of("gamma"), List.of("alpha"), List.of("beta", "gamma"))), 0);
    // Largest first would put map 0 on w0 (alpha); each goes to its own host instead.
    assertThat(d.started()).containsExactlyInAnyOrder(at(map(0, 1), "w1"), at(map(1, 1), "w2"),
        at(map(2, 1), "w0"));
  }

  private Map<String, Long> counters() {
    d.mapDone(map(0, 1), 4_000);
    d.mapDone(map(1, 1), 4_000);
    d.mapDone(map(3, 1), 4_000);
    reduceStarted();
    d.commitDone(reduce(0, 1), 4_001);
    CommitJob commit = (CommitJob) d.effects().stream().filter(e -> e instanceof CommitJob)
        .findFirst().orElseThrow();
    Map<String, Long> fromCommit = commit.success().counters().get(TaskCounter.GROUP);
    d.scheduler.commitFinished(JOB, 4_002, null, 4_002);
    JobView view = d.scheduler.drainJobViews().get(0);
    assertThat(view.counters().get(TaskCounter.GROUP)).isEqualTo(fromCommit);
    return fromCommit;
  }

  @Test
  void aMapWaitsForItsHostThenTakesAnyWorker() {
    submit();
    d.mapDone(map(2, 1), 100);
    // w0 (alpha) is free, but map 3's blocks are on beta and gamma, both busy: it waits.
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(2_999);
    assertThat(d.started()).isEmpty();
    // 3 s since the job's last local launch (at 0): any host will do.
    d.scheduler.checkTimeouts(3_000);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
    assertThat(counters()).containsEntry(Scheduler.DATA_LOCAL_MAPS, 3L)
        .containsEntry(Scheduler.OTHER_LOCAL_MAPS, 1L);
  }

  @Test
  void aMapTakesItsHostWhenItFreesUpInTime() {
    submit();
    d.mapDone(map(2, 1), 100);
    assertThat(d.started()).isEmpty();
    d.mapDone(map(1, 1), 2_000);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w2"));
    d.mapDone(map(0, 1), 2_100);
    d.mapDone(map(3, 1), 2_200);
    reduceStarted();
    d.commitDone(reduce(0, 1), 2_300);
    CommitJob commit = (CommitJob) d.effects().stream().filter(e -> e instanceof CommitJob)
        .findFirst().orElseThrow();
    assertThat(commit.success().counters().get(TaskCounter.GROUP))
        .containsEntry(Scheduler.DATA_LOCAL_MAPS, 4L)
        .containsEntry(Scheduler.OTHER_LOCAL_MAPS, 0L);
  }

  @Test
  void aMapDoesNotWaitForAHostWithNoWorker() {
    d.submit(spec("/out", 1, EngineKeys.LOCALITY_WAIT, "1h"), splitsOn(List.of(
        List.of("beta"), List.of("gamma"), List.of("alpha"), List.of("delta"))), 0);
    d.started();
    d.mapDone(map(2, 1), 100);
    // No worker runs on delta: map 3 goes to w0 at once.
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
  }

  @Test
  void aZeroWaitTakesAnyFreeWorkerAtOnce() {
    d.submit(spec("/out", 1, EngineKeys.LOCALITY_WAIT, "0"), splitsOn(List.of(
        List.of("beta"), List.of("gamma"), List.of("alpha"), List.of("beta"))), 0);
    d.started();
    d.mapDone(map(2, 1), 100);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w0"));
  }

  @Test
  void splitsWithoutHostsNeitherWaitNorCount() {
    d.submit(spec("/out", 1), splits(4), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w2"));
    d.mapDone(map(2, 1), 100);
    assertThat(d.started()).containsExactly(at(map(3, 1), "w2"));
    Map<String, Long> counters = d.scheduler.drainJobViews().get(0).counters()
        .get(TaskCounter.GROUP);
    assertThat(counters).doesNotContainKeys(Scheduler.DATA_LOCAL_MAPS,
        Scheduler.OTHER_LOCAL_MAPS);
  }

  /** Drains the reduce's start, so that the commit's effects stand alone. */
  private void reduceStarted() {
    assertThat(d.started()).singleElement().asString().startsWith(reduce(0, 1) + "@");
  }
}
