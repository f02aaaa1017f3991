package dev.quern.master.engine;

/** Configuration entries the control plane reads from each job's configuration. */
public final class EngineKeys {
  /** Attempts a task may fail before the job fails; default 4. */
  public static final String MAX_ATTEMPTS = "quern.task.max-attempts";

  public static final int DEFAULT_MAX_ATTEMPTS = 4;

  /**
   * The old name of {@link #SPECULATION}, still read: {@code true} turns speculation on when
   * {@link #SPECULATION} is not set.
   */
  public static final String SPECULATIVE = "quern.speculative";

  /**
   * When true, a running attempt that has run much longer than the finished attempts of its
   * stage (the job's maps, or its reduces) gets one more attempt on another worker's free slot,
   * once the job has nothing else ready; the first to finish commits. As Spark's {@code
   * spark.speculation}. Default false.
   */
  public static final String SPECULATION = "quern.speculation";

  /** How many times the median run time of a stage's finished attempts is slow; default 1.5. */
  public static final String SPECULATION_MULTIPLIER = "quern.speculation.multiplier";

  /** Fraction of a stage's tasks that must be done before it is speculated on; default 0.75. */
  public static final String SPECULATION_QUANTILE = "quern.speculation.quantile";

  /** Least run time before an attempt is speculated on (a duration); default 100ms. */
  public static final String SPECULATION_MIN_RUNTIME = "quern.speculation.min-runtime";

  /**
   * Run time after which an attempt is speculated on while too few tasks of its stage are done
   * to have a median (a stage of one task, say); unset by default: such stages wait for the
   * quantile.
   */
  public static final String SPECULATION_TASK_DURATION_THRESHOLD =
      "quern.speculation.task-duration-threshold";

  /**
   * Failed attempts of one job on one worker after which the job runs no more attempts there
   * (as Hadoop's {@code mapreduce.job.maxtaskfailures.per.tracker}); 0 turns it off. Default 3.
   */
  public static final String EXCLUDE_AFTER_FAILURES =
      "quern.exclude-on-failure.max-failures-per-worker";

  /**
   * How long a map task with input on known hosts waits for a free slot on one of them before
   * it takes any (delay scheduling, as Spark's {@code spark.locality.wait}; a duration). Default
   * 3s. Splits without hosts (local files) never wait.
   */
  public static final String LOCALITY_WAIT = "quern.locality.wait";

  /**
   * Fraction of a job's maps that must be done before its reduces may start (Hadoop's {@code
   * mapreduce.job.reduce.slowstart.completedmaps}). Default 1.0: reduces start once every map is
   * done, in local mode and on a cluster (Hadoop's default is 0.05; on one machine, where the
   * shuffle costs little, reduces started early mostly hold slots the maps could use). Below 1,
   * reduces start once that fraction of maps is done, on at most half the slots while maps
   * remain, and fetch each map's output as it appears ({@link Effect.MapOutputsChanged}); they
   * merge and reduce once they hold every map's.
   */
  public static final String REDUCE_SLOWSTART = "quern.reduce.slowstart.completed-maps";

  /**
   * Milliseconds an attempt may go without reporting progress (a user loop that never returns, a
   * wedged read) before it is killed and counted as failed; 0 disables. Default 10 minutes.
   */
  public static final String TASK_TIMEOUT = "quern.task.timeout";

  public static final long DEFAULT_TASK_TIMEOUT = 600_000;

  private EngineKeys() {}
}
