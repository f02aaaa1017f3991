package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.JOB;
import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.master.engine.Effect.KillTask;
import org.junit.jupiter.api.Test;

/**
 * Speculation against the median run time of the finished attempts of the same stage, with
 * explicit times: 4 maps on 5 one-slot workers, multiplier 1.5, quantile 0.75 (3 of 4 maps
 * done), least run time 100 ms.
 */
class SpeculationTest {
  private final SchedulerDriver d = new SchedulerDriver();

  private void fiveWorkersFourMaps(String... config) {
    for (int i = 0; i < 5; i++) {
      d.worker("w" + i, "h" + i, 1);
    }
    String[] all = new String[config.length + 2];
    all[0] = EngineKeys.SPECULATION;
    all[1] = "true";
    System.arraycopy(config, 0, all, 2, config.length);
    d.submit(spec("/out", 1, all), splits(4), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"),
        at(map(2, 1), "w2"), at(map(3, 1), "w3"));
  }

  @Test
  void aStragglerIsCopiedOnceItRunsLongerThanMultiplierTimesTheMedian() {
    fiveWorkersFourMaps();
    // Nothing else is ready and w4 is free, but no map has finished: nothing is slow yet (the
    // old policy copied every running task here).
    d.scheduler.checkTimeouts(500);
    assertThat(d.started()).isEmpty();

    d.mapDone(map(0, 1), 1000);
    d.mapDone(map(1, 1), 1100);
    d.mapDone(map(2, 1), 1200);
    // 3 of 4 done; median 1100 ms, so slow after 1650 ms; map 3 has run 1200 ms.
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(1650);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(1651);
    // The freest worker other than map 3's own (w0: first registered of the idle ones).
    assertThat(d.started()).containsExactly(at(map(3, 2), "w0"));

    // Once per task, however slow.
    d.scheduler.checkTimeouts(60_000);
    assertThat(d.started()).isEmpty();

    // The copy wins: the original is killed and the reduce starts.
    d.mapDone(map(3, 2), 61_000);
    assertThat(d.effects()).contains(new KillTask("w3", map(3, 1),
        "another attempt of m-00003 committed"));
    assertThat(d.scheduler.book().job(JOB).attempt(map(3, 1)).state())
        .isEqualTo(AttemptState.KILLED);
    d.scheduler.checkTimeouts(61_001);
    assertThat(d.scheduler.book().job(JOB).reduces().get(0).attempts()).hasSize(1);
  }

  @Test
  void nothingIsSlowBeforeTheQuantileOfTheStageIsDone() {
    fiveWorkersFourMaps();
    d.mapDone(map(0, 1), 1000);
    d.mapDone(map(1, 1), 1100);
    // Maps 2 and 3 run 100 times the median of the two done, but 2 < floor(0.75 * 4).
    d.scheduler.checkTimeouts(110_000);
    assertThat(d.started()).isEmpty();
    // The third makes the median 1100 ms (of 1000, 1100, 110000): map 3 is copied at once.
    d.mapDone(map(2, 1), 110_000);
    assertThat(d.started()).containsExactly(at(map(3, 2), "w0"));
  }

  @Test
  void theLeastRunTimeHoldsWhenTheMedianIsShort() {
    fiveWorkersFourMaps(EngineKeys.SPECULATION_MIN_RUNTIME, "1s");
    d.mapDone(map(0, 1), 10);
    d.mapDone(map(1, 1), 10);
    d.mapDone(map(2, 1), 10);
    // 1.5 * 10 ms is long passed, but the least run time is 1 s.
    d.scheduler.checkTimeouts(1000);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(1001);
    assertThat(d.started()).containsExactly(at(map(3, 2), "w0"));
  }

  @Test
  void aStageOfOneTaskIsCopiedAfterTheDurationThreshold() {
    d.worker("w0", "h0", 1).worker("w1", "h1", 1);
    d.submit(spec("/out", 1, EngineKeys.SPECULATION, "true",
        EngineKeys.SPECULATION_TASK_DURATION_THRESHOLD, "500ms"), splits(1), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"));
    // The map stage has one task: no median before it finishes, so the threshold decides.
    d.scheduler.checkTimeouts(500);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(501);
    assertThat(d.started()).containsExactly(at(map(0, 2), "w1"));
    d.mapDone(map(0, 1), 600);
    // The reduce stage has its own run times: the maps' median does not count for it.
    assertThat(d.started()).containsExactly(at(reduce(0, 1), "w0"));
    d.scheduler.checkTimeouts(1100);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(1101);
    assertThat(d.started()).containsExactly(at(reduce(0, 2), "w1"));
  }

  @Test
  void aStragglerWaitsForAnotherWorkerToBeFree() {
    d.worker("w0", "h0", 1).worker("w1", "h1", 1);
    d.submit(spec("/out", 1, EngineKeys.SPECULATION, "true",
        EngineKeys.SPECULATION_QUANTILE, "0.5"), splits(3), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"));
    d.mapDone(map(1, 1), 100);
    assertThat(d.started()).containsExactly(at(map(2, 1), "w1"));
    // Map 0 is slow (10 s against a median of 100 ms), but no other worker is free.
    d.scheduler.checkTimeouts(10_000);
    assertThat(d.started()).isEmpty();
    d.mapDone(map(2, 1), 10_100);
    assertThat(d.started()).containsExactly(at(map(0, 2), "w1"));
  }

  @Test
  void speculationIsOffByDefaultAndTheOldKeyStillTurnsItOn() {
    assertThat(JobPolicy.check(spec("/o", 1).configuration()).speculation()).isFalse();
    assertThat(JobPolicy.check(spec("/o", 1, EngineKeys.SPECULATIVE, "true").configuration())
        .speculation()).isTrue();
    assertThat(JobPolicy.check(spec("/o", 1, EngineKeys.SPECULATIVE, "true",
        EngineKeys.SPECULATION, "false").configuration()).speculation()).isFalse();

    d.worker("w0", "h0", 1).worker("w1", "h1", 1);
    d.submit(spec("/out", 1), splits(3), 0);
    d.mapDone(map(0, 1), 10);
    d.mapDone(map(1, 1), 10);
    d.started();
    d.scheduler.checkTimeouts(100_000);
    assertThat(d.started()).isEmpty();
  }
}
