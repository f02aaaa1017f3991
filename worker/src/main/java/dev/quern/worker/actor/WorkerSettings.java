package dev.quern.worker.actor;

import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.task.TaskRunner;
import java.time.Duration;
import java.util.Objects;

/**
 * How one worker runs tasks.
 *
 * @param workerId unique among the cluster's workers, e.g. {@code worker-2}
 * @param host where the worker's map outputs can be fetched from
 * @param slots how many attempts run at once
 * @param runner runs each attempt on a slot thread
 * @param loaders the job class loader of each attempt
 * @param commitTimeout how long an attempt waits for the master's commit answer
 * @param metrics where attempts started and ended are counted
 */
public record WorkerSettings(String workerId, String host, int slots, TaskRunner runner,
    JobLoaderSource loaders, Duration commitTimeout, WorkerMetrics metrics) {

  /** Counting into metrics of its own (nobody scrapes them: local mode, tests). */
  public WorkerSettings(String workerId, String host, int slots, TaskRunner runner,
      JobLoaderSource loaders, Duration commitTimeout) {
    this(workerId, host, slots, runner, loaders, commitTimeout, new WorkerMetrics());
  }

  public WorkerSettings {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(loaders, "loaders");
    if (slots < 1) {
      throw new IllegalArgumentException("a worker needs at least one slot, got " + slots);
    }
  }
}
