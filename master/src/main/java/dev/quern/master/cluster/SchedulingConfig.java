package dev.quern.master.cluster;

import com.typesafe.config.Config;
import dev.quern.master.engine.SchedulerSettings;
import java.time.Duration;

/**
 * The leader's scheduling settings, the same for every job: the {@code quern.master.scheduler}
 * section (defaults in {@code master-defaults.conf}). A job's own scheduling settings
 * (speculation, locality wait, attempts, task timeout, its per-worker exclusion) come from the
 * job's configuration instead ({@link dev.quern.master.engine.JobPolicy}).
 *
 * @param tick how often the leader checks on time: silent attempts (task timeout), slow ones
 *     (speculation), maps waiting for a local slot
 * @param takeoverGrace after a new leader takes over, how long a worker has to report the
 *     attempts it runs before the book's attempts on it are given up
 * @param excludingJobs see {@link SchedulerSettings#excludingJobs()}
 * @param exclusion see {@link SchedulerSettings#exclusionMs()}
 */
public record SchedulingConfig(Duration tick, Duration takeoverGrace, int excludingJobs,
    Duration exclusion) {

  /** The section's path under {@code quern.master}. */
  public static final String SECTION = "scheduler";

  /**
   * Reads {@code c} (the {@code quern.master} section): an empty {@code takeover-grace} is twice
   * {@code workerTimeout}. Throws {@link IllegalArgumentException} naming the key.
   */
  static SchedulingConfig from(Config master, Duration workerTimeout) {
    Config c = master.getConfig(SECTION);
    Duration tick = c.getDuration("tick");
    if (tick.isZero() || tick.isNegative()) {
      throw new IllegalArgumentException(key("tick") + ": must be positive, got " + tick);
    }
    Duration grace = c.getString("takeover-grace").isBlank() ? workerTimeout.multipliedBy(2)
        : c.getDuration("takeover-grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException(key("takeover-grace") + ": must not be negative, got "
          + grace);
    }
    int jobs = c.getInt("exclude-after-jobs");
    if (jobs < 0) {
      throw new IllegalArgumentException(key("exclude-after-jobs") + ": 0 (off) or more, got "
          + jobs);
    }
    Duration exclusion = c.getDuration("exclusion-timeout");
    if (exclusion.isNegative()) {
      throw new IllegalArgumentException(key("exclusion-timeout") + ": must not be negative, got "
          + exclusion);
    }
    return new SchedulingConfig(tick, grace, jobs, exclusion);
  }

  private static String key(String name) {
    return MasterProcessConfig.SECTION + "." + SECTION + "." + name;
  }

  /** The scheduler's settings on a cluster of processes, with these limits. */
  public SchedulerSettings schedulerSettings() {
    return SchedulerSettings.cluster(excludingJobs, exclusion.toMillis());
  }
}
