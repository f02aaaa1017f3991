package dev.quern.worker.executor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The worker's executor keys, under {@code quern.worker} (defaults in the worker's {@code
 * worker-defaults.conf}).
 *
 * @param isolation {@code executor}: each job's attempts in an executor JVM of its own;
 *     {@code in-process}: on the worker's slot threads, as local mode runs them
 * @param defaultMemory the executor heap of a job that sets no {@value ExecutorKeys#MEMORY}
 * @param javaOptions more JVM options of every executor
 * @param killGrace how long a killed attempt may take to stop before its executor is ended
 * @param warmSpare whether the worker keeps a spare executor JVM started ahead of jobs, which the
 *     next job of the default heap binds instead of waiting for a JVM to start
 * @param reuseJobs how many jobs one executor JVM may serve, one after another: an executor of
 *     the default heap whose job ended cleanly becomes the spare for the next (1: never)
 */
public record ExecutorConfig(String isolation, String defaultMemory, List<String> javaOptions,
    Duration killGrace, boolean warmSpare, int reuseJobs) {
  public static final String ISOLATION = "task-isolation";
  public static final String EXECUTOR = "executor";
  public static final String IN_PROCESS = "in-process";

  public ExecutorConfig {
    if (!isolation.equals(EXECUTOR) && !isolation.equals(IN_PROCESS)) {
      throw new IllegalArgumentException("quern.worker." + ISOLATION + ": '" + isolation
          + "' is neither " + EXECUTOR + " nor " + IN_PROCESS);
    }
    ExecutorKeys.checkMemory("quern.worker.executor.default-memory", defaultMemory);
    javaOptions = List.copyOf(javaOptions);
    if (killGrace.isNegative() || killGrace.isZero()) {
      throw new IllegalArgumentException("quern.worker.executor.kill-grace: must be positive, got "
          + killGrace);
    }
    if (reuseJobs < 1) {
      throw new IllegalArgumentException("quern.worker.executor.reuse-jobs: must be at least 1 "
          + "(1: an executor serves one job), got " + reuseJobs);
    }
  }

  /** Reads the keys from {@code section} (the {@code quern.worker} section with its defaults). */
  public static ExecutorConfig from(Config section) {
    try {
      return new ExecutorConfig(section.getString(ISOLATION).trim(),
          section.getString("executor.default-memory"),
          section.getStringList("executor.java-options"),
          section.getDuration("executor.kill-grace"),
          section.getBoolean("executor.warm-spare"),
          section.getInt("executor.reuse-jobs"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public boolean inProcess() {
    return isolation.equals(IN_PROCESS);
  }
}
