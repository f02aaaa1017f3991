package dev.quern.master.engine;

/**
 * What {@link JobBook#apply} made of one event. Deterministic: every replica of the book that
 * applies the same events in the same order gets the same outcomes.
 */
public sealed interface Outcome {

  /**
   * The book changed.
   *
   * @param jobId the job the event changed (for a JobAccepted, the id the book gave the job)
   */
  record Applied(String jobId) implements Outcome {}

  /** The event did not fit the book (its precondition failed); the book did not change. */
  record Rejected(String reason) implements Outcome {}
}
