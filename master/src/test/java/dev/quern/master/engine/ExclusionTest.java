package dev.quern.master.engine;

import static dev.quern.master.engine.SchedulerDriver.JOB;
import static dev.quern.master.engine.SchedulerDriver.at;
import static dev.quern.master.engine.SchedulerDriver.map;
import static dev.quern.master.engine.SchedulerDriver.reduce;
import static dev.quern.master.engine.SchedulerDriver.spec;
import static dev.quern.master.engine.SchedulerDriver.splits;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bad-node exclusion: a worker where a job's attempts keep failing gets no more of them. */
class ExclusionTest {

  @Test
  void aJobStopsUsingAWorkerAfterThreeFailuresThere() {
    SchedulerDriver d = new SchedulerDriver()
        .worker("w0", "h0", 1).worker("w1", "h1", 1).worker("w2", "h2", 1);
    d.submit(spec("/out", 1, EngineKeys.MAX_ATTEMPTS, "10"), splits(2), 0);
    assertThat(d.started()).containsExactly(at(map(0, 1), "w0"), at(map(1, 1), "w1"));
    // w0 is freed by each failure and is the first registered of the free: the retry goes back.
    d.fail(map(0, 1), 1);
    assertThat(d.started()).containsExactly(at(map(0, 2), "w0"));
    d.fail(map(0, 2), 2);
    assertThat(d.started()).containsExactly(at(map(0, 3), "w0"));
    assertThat(d.scheduler.excludedWorkers(JOB)).isEmpty();
    d.fail(map(0, 3), 3);
    assertThat(d.scheduler.excludedWorkers(JOB)).containsExactly("w0");
    assertThat(d.started()).containsExactly(at(map(0, 4), "w2"));

    d.mapDone(map(1, 1), 4);
    d.mapDone(map(0, 4), 5);
    // w0 has the most free slots among equals, but the job avoids it.
    assertThat(d.started()).containsExactly(at(reduce(0, 1), "w1"));
    // One job is not enough to exclude a worker everywhere (2 are, by default).
    assertThat(d.scheduler.excludedWorkers()).isEmpty();
  }

  @Test
  void aWorkerTwoJobsExcludedIsExcludedForEveryJobForAWhile() {
    SchedulerDriver d = new SchedulerDriver(new SchedulerSettings(2, 10_000, false))
        .worker("w0", "h0", 1).worker("w1", "h1", 1);
    String a = d.submit(spec("/a", 1, EngineKeys.EXCLUDE_AFTER_FAILURES, "1"), splits(1), 0);
    assertThat(d.started()).containsExactly(at(map(a, 0, 1), "w0"));
    d.fail(map(a, 0, 1), 1);
    assertThat(d.started()).containsExactly(at(map(a, 0, 2), "w1"));
    assertThat(d.scheduler.excludedWorkers(a)).containsExactly("w0");
    assertThat(d.scheduler.excludedWorkers()).isEmpty();

    String b = d.submit(spec("/b", 1, EngineKeys.EXCLUDE_AFTER_FAILURES, "1"), splits(1), 2);
    assertThat(d.started()).containsExactly(at(map(b, 0, 1), "w0"));
    d.fail(map(b, 0, 1), 3);
    // Two jobs excluded w0: it is excluded for all until 3 + 10000, and b's retry waits for w1.
    assertThat(d.scheduler.excludedWorkers()).containsExactly("w0");
    assertThat(d.started()).isEmpty();

    // A job that never failed there avoids it too.
    String c = d.submit(spec("/c", 1), splits(1), 4);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(10_002);
    assertThat(d.started()).isEmpty();
    d.scheduler.checkTimeouts(10_003);
    // Over: c may use w0; b still excludes it for itself.
    assertThat(d.started()).containsExactly(at(map(c, 0, 1), "w0"));
    assertThat(d.scheduler.excludedWorkers()).isEmpty();
    assertThat(d.scheduler.excludedWorkers(b)).containsExactly("w0");
  }

  @Test
  void aJobWhoseEveryWorkerIsExcludedStillRuns() {
    SchedulerDriver d = new SchedulerDriver().worker("w0", "h0", 1);
    d.submit(spec("/out", 1, EngineKeys.MAX_ATTEMPTS, "5",
        EngineKeys.EXCLUDE_AFTER_FAILURES, "2"), splits(1), 0);
    d.started();
    d.fail(map(0, 1), 1);
    d.fail(map(0, 2), 2);
    assertThat(d.scheduler.excludedWorkers(JOB)).containsExactly("w0");
    // Better a retry on the one worker there is than a job that waits for ever.
    assertThat(d.started()).containsExactly(at(map(0, 2), "w0"), at(map(0, 3), "w0"));
  }

  @Test
  void zeroTurnsExclusionOff() {
    SchedulerDriver d = new SchedulerDriver().worker("w0", "h0", 1).worker("w1", "h1", 1);
    d.submit(spec("/out", 1, EngineKeys.MAX_ATTEMPTS, "10",
        EngineKeys.EXCLUDE_AFTER_FAILURES, "0"), splits(1), 0);
    for (int attempt = 1; attempt <= 5; attempt++) {
      assertThat(d.started()).containsExactly(at(map(0, attempt), "w0"));
      d.fail(map(0, attempt), attempt);
    }
    assertThat(d.scheduler.excludedWorkers(JOB)).isEmpty();
  }
}
