package dev.quern.worker.task;

/**
 * Names one attempt of one task, e.g. {@code job-0001/m-00003/2} (third map task, second
 * attempt). Attempts count from 1.
 */
public record TaskAttemptId(String jobId, TaskKind kind, int taskIndex, int attempt) {

  /** The task part, e.g. {@code m-00003}; also the suffix of the task's part file. */
  public String taskName() {
    return String.format("%c-%05d", kind.letter(), taskIndex);
  }

  /** A name safe for a directory, e.g. {@code m-00003_2}. */
  public String dirName() {
    return taskName() + "_" + attempt;
  }

  @Override
  public String toString() {
    return jobId + "/" + taskName() + "/" + attempt;
  }
}
