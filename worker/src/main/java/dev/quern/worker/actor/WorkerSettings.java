package dev.quern.worker.actor;

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
 */
public record WorkerSettings(String workerId, String host, int slots, TaskRunner runner,
    JobLoaderSource loaders, Duration commitTimeout) {

  public WorkerSettings {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(loaders, "loaders");
    if (slots < 1) {
      throw new IllegalArgumentException("a worker needs at least one slot, got " + slots);
    }
  }
}
