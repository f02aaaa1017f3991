package dev.quern.master.engine;

/** Configuration entries the control plane reads from each job's configuration. */
public final class EngineKeys {
  /** Attempts a task may fail before the job fails; default 4. */
  public static final String MAX_ATTEMPTS = "quern.task.max-attempts";

  public static final int DEFAULT_MAX_ATTEMPTS = 4;

  /**
   * When true, a task still running while the job has nothing else to schedule gets one more
   * attempt on another free slot; the first to finish commits. Default false.
   */
  public static final String SPECULATIVE = "quern.speculative";

  /**
   * Milliseconds an attempt may go without reporting progress (a user loop that never returns, a
   * wedged read) before it is killed and counted as failed; 0 disables. Default 10 minutes.
   */
  public static final String TASK_TIMEOUT = "quern.task.timeout";

  public static final long DEFAULT_TASK_TIMEOUT = 600_000;

  private EngineKeys() {}
}
