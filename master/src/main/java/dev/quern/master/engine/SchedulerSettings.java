package dev.quern.master.engine;

/**
 * Settings of the {@link Scheduler} itself, the same for every job (a job's own are its {@link
 * JobPolicy}).
 *
 * @param excludingJobs a worker that a job excluded for failures ({@link
 *     EngineKeys#EXCLUDE_AFTER_FAILURES}) in this many different jobs is excluded for every job
 *     for {@code exclusionMs}; 0 turns cluster-wide exclusion off. Default 2, as Spark's {@code
 *     spark.excludeOnFailure.application.maxFailedTasksPerExecutor}
 * @param exclusionMs how long a cluster-wide exclusion lasts; default one hour, as Spark's
 *     {@code spark.excludeOnFailure.timeout}
 * @param reducesBeforeMapOutputs whether the workers can run a reduce whose map outputs do not
 *     all exist yet (they learn of each one as it appears, {@link Effect.MapOutputsChanged}).
 *     Only then does a job's {@link EngineKeys#REDUCE_SLOWSTART} below 1 start reduces early.
 *     True in both modes; false keeps reduces until every map is done whatever the job asks
 * @param outputsDieWithWorkers whether a worker's finished map outputs are lost when the worker
 *     is ({@link JobEvent.WorkerOutputsLost}): true in a cluster of processes, false in local
 *     mode, where every worker writes to one scratch directory that outlives it
 */
public record SchedulerSettings(int excludingJobs, long exclusionMs,
    boolean reducesBeforeMapOutputs, boolean outputsDieWithWorkers) {

  public static final SchedulerSettings DEFAULTS = new SchedulerSettings(2, 3_600_000, true);

  /**
   * A cluster of processes: a worker's map outputs live on its own disk and are served by its
   * own process, so they are lost with it.
   */
  public static final SchedulerSettings CLUSTER = new SchedulerSettings(2, 3_600_000, true,
      true);

  /**
   * {@link #CLUSTER} with other limits of cluster-wide exclusion (the {@code
   * quern.master.scheduler} keys of a master process).
   */
  public static SchedulerSettings cluster(int excludingJobs, long exclusionMs) {
    return new SchedulerSettings(excludingJobs, exclusionMs, CLUSTER.reducesBeforeMapOutputs(),
        CLUSTER.outputsDieWithWorkers());
  }

  /** Map outputs outlive their workers (one process, one scratch directory: local mode). */
  public SchedulerSettings(int excludingJobs, long exclusionMs, boolean reducesBeforeMapOutputs) {
    this(excludingJobs, exclusionMs, reducesBeforeMapOutputs, false);
  }

  public SchedulerSettings {
    if (excludingJobs < 0 || exclusionMs < 0) {
      throw new IllegalArgumentException("excludingJobs and exclusionMs must be >= 0, got "
          + excludingJobs + " and " + exclusionMs);
    }
  }
}
