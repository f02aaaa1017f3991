package dev.quern.api;

/**
 * The life of a job. {@code SUCCEEDED}, {@code FAILED} and {@code KILLED} are final.
 *
 * <pre>{@code
 * if (handle.status().state().isFinal()) { ... }
 * }</pre>
 */
public enum JobState {
  /** Accepted and planned; no task has started yet. */
  ACCEPTED,
  RUNNING,
  /** Every task committed; the job commit is moving the output into place. */
  COMMITTING,
  SUCCEEDED,
  FAILED,
  KILLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == KILLED;
  }
}
