package dev.quern.worker.runner;

import dev.quern.worker.task.TaskProgress;

/**
 * Keeps an attempt's latest progress fraction and forwards it to the worker. Phases map onto
 * sub-ranges of [0, 1] so the fraction never goes backwards.
 */
public final class ProgressTracker {
  private final TaskProgress sink;
  private float base;
  private float span = 1f;
  private float last;

  public ProgressTracker(TaskProgress sink) {
    this.sink = sink;
  }

  /** Starts a phase covering [from, to] of the whole attempt. */
  public void phase(float from, float to) {
    base = from;
    span = to - from;
    set(0f);
  }

  /** Reports {@code fraction} (0 to 1) of the current phase. */
  public void set(float fraction) {
    float f = base + span * Math.max(0f, Math.min(1f, fraction));
    if (f > last) {
      last = f;
    }
    sink.report(last);
  }

  /** Re-reports the latest fraction: the task is alive. */
  public void ping() {
    sink.report(last);
  }
}
