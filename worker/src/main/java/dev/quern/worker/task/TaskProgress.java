package dev.quern.worker.task;

/**
 * Receives an attempt's progress (0 to 1) while it runs. Called from the task's thread, at most
 * every few thousand records, so an implementation must be cheap and thread-safe.
 */
@FunctionalInterface
public interface TaskProgress {
  TaskProgress NONE = fraction -> {};

  void report(float fraction);
}
