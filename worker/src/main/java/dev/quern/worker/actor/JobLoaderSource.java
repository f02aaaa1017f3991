package dev.quern.worker.actor;

import dev.quern.worker.task.TaskSpec;

/**
 * Gives the class loader of a task's job (one per job: its jar over the runtime's classes).
 * Local mode shares the loader the submission checked; cluster mode opens the stored jar.
 */
@FunctionalInterface
public interface JobLoaderSource {
  ClassLoader loaderFor(TaskSpec spec);
}
