package dev.quern.master.local;

import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.task.TaskRunner;

/**
 * The task runner a local cluster uses unless its options name another: the data path, reading
 * map outputs straight from the local disk.
 */
final class DefaultRunner {
  private DefaultRunner() {}

  static TaskRunner create() {
    return new PipelineTaskRunner();
  }
}
