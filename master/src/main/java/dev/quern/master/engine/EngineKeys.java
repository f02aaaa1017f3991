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

  private EngineKeys() {}
}
