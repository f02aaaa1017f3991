package dev.quern.master.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.quern.master.engine.SchedulerSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The leader's cluster-wide scheduling keys, {@code quern.master.scheduler}. */
class SchedulingConfigTest {
  static MasterProcessConfig parse(String extra) {
    return MasterProcessConfig.from(ConfigFactory.parseString("""
        quern.master { id = m1, data = /tmp/never-created, peers { m1 = "127.0.0.1:7101" } }
        """ + extra));
  }

  @Test
  void theDefaultsAreTheOnesTheLeaderHadBuiltIn() {
    SchedulingConfig s = parse("").scheduling();
    assertEquals(Duration.ofMillis(100), s.tick());
    assertEquals(Duration.ofSeconds(20), s.takeoverGrace(), "twice the worker timeout, 10s");
    assertEquals(2, s.excludingJobs());
    assertEquals(Duration.ofHours(1), s.exclusion());
    assertEquals(SchedulerSettings.CLUSTER, s.schedulerSettings());
    // With no grace of its own, the grace follows the worker timeout.
    assertEquals(Duration.ofSeconds(6),
        parse("quern.master.worker-timeout = 3s").scheduling().takeoverGrace());
  }

  @Test
  void theKeysReachTheSchedulersSettings() {
    SchedulingConfig s = parse("""
        quern.master.scheduler { tick = 40ms, takeover-grace = 7s, exclude-after-jobs = 0,
          exclusion-timeout = 15m }
        """).scheduling();
    assertEquals(Duration.ofMillis(40), s.tick());
    assertEquals(Duration.ofSeconds(7), s.takeoverGrace());
    SchedulerSettings settings = s.schedulerSettings();
    assertEquals(new SchedulerSettings(0, 900_000,
        SchedulerSettings.CLUSTER.reducesBeforeMapOutputs(), true), settings);
    assertEquals(SchedulerSettings.CLUSTER.outputsDieWithWorkers(),
        settings.outputsDieWithWorkers(), "still a cluster of processes");
  }

  @Test
  void badValuesAreRefusedByName() {
    for (String[] bad : new String[][] {
        {"tick = 0s", "quern.master.scheduler.tick: must be positive"},
        {"takeover-grace = -1s", "quern.master.scheduler.takeover-grace: must not be negative"},
        {"exclude-after-jobs = -1", "quern.master.scheduler.exclude-after-jobs: 0 (off) or more"},
        {"exclusion-timeout = -5m",
            "quern.master.scheduler.exclusion-timeout: must not be negative"},
        {"exclusion-timeout = forever", "exclusion-timeout"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> parse("quern.master.scheduler." + bad[0]), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }
}
