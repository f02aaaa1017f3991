package dev.quern.master.local;

import dev.quern.worker.task.TaskRunner;

/** The task runner a local cluster uses unless its options name another. */
final class DefaultRunner {
  private DefaultRunner() {}

  static TaskRunner create() {
    return (spec, loader, progress) -> {
      throw new IllegalStateException("no task runner configured for " + spec.id()
          + ": the data path (PipelineTaskRunner) is not merged yet; pass one in "
          + "LocalClusterOptions.withRunner");
    };
  }
}
