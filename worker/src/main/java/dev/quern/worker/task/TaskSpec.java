package dev.quern.worker.task;

import dev.quern.api.JobSpec;

/**
 * What a worker slot is asked to run. Paths are strings so specs serialize plainly (Kryo) when
 * they travel to remote workers.
 */
public sealed interface TaskSpec permits MapTaskSpec, ReduceTaskSpec {
  TaskAttemptId id();

  JobSpec job();

  /**
   * The attempt's private output directory, {@code OUT/_temporary/<attempt dir>}: reduce tasks
   * and the map tasks of a map-only job write their part file here; only a committed attempt's
   * files reach the job's output.
   */
  String outputWorkDir();
}
