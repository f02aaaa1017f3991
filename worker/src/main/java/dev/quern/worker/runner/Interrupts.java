package dev.quern.worker.runner;

import dev.quern.worker.task.TaskAttemptId;

/** Stops an attempt when its thread is interrupted (the worker kills the attempt). */
public final class Interrupts {
  private Interrupts() {}

  public static void check(TaskAttemptId attempt) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("attempt " + attempt + " was killed");
    }
  }

  /**
   * Thrown where a checked exception cannot pass (inside the reduce values iterator); the task
   * turns it back into an {@link InterruptedException}.
   */
  public static final class Killed extends RuntimeException {
    public Killed(TaskAttemptId attempt) {
      super("attempt " + attempt + " was killed", null, false, false);
    }
  }
}
