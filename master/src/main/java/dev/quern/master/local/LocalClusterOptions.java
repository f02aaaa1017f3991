package dev.quern.master.local;

import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.task.TaskRunner;
import java.nio.file.Path;
import java.util.Map;

/**
 * How to start a {@link LocalCluster}.
 *
 * <pre>{@code
 * LocalCluster.start(LocalClusterOptions.defaults().withWorkers(3).withSlotsPerWorker(2)
 *     .withDefaultConfig(Map.of("quern.input.split-size", "1m")));
 * }</pre>
 *
 * @param workers number of worker actors (default: one per core)
 * @param slotsPerWorker task slots of each worker (default 1)
 * @param workDir scratch directory for map outputs; null means a temp directory deleted on close
 * @param defaultConfig entries merged under every job's configuration (the job's own win)
 * @param runner runs each attempt; null means the data path's {@code PipelineTaskRunner}
 * @param attemptLogs where each attempt's stdout, stderr and log lines are kept besides the
 *     console, as a worker keeps them ({@code CapturingTaskRunner}); null: not kept
 */
public record LocalClusterOptions(int workers, int slotsPerWorker, Path workDir,
    Map<String, String> defaultConfig, TaskRunner runner, AttemptLogs attemptLogs) {

  public LocalClusterOptions {
    if (workers < 1) {
      throw new IllegalArgumentException("a local cluster needs at least one worker, got "
          + workers);
    }
    if (slotsPerWorker < 1) {
      throw new IllegalArgumentException("a worker needs at least one slot, got "
          + slotsPerWorker);
    }
    defaultConfig = Map.copyOf(defaultConfig);
  }

  public static LocalClusterOptions defaults() {
    return new LocalClusterOptions(Runtime.getRuntime().availableProcessors(), 1, null, Map.of(),
        null, null);
  }

  public LocalClusterOptions withWorkers(int n) {
    return new LocalClusterOptions(n, slotsPerWorker, workDir, defaultConfig, runner,
        attemptLogs);
  }

  public LocalClusterOptions withSlotsPerWorker(int n) {
    return new LocalClusterOptions(workers, n, workDir, defaultConfig, runner,
        attemptLogs);
  }

  public LocalClusterOptions withWorkDir(Path dir) {
    return new LocalClusterOptions(workers, slotsPerWorker, dir, defaultConfig, runner,
        attemptLogs);
  }

  public LocalClusterOptions withDefaultConfig(Map<String, String> config) {
    return new LocalClusterOptions(workers, slotsPerWorker, workDir, config, runner,
        attemptLogs);
  }

  public LocalClusterOptions withAttemptLogs(AttemptLogs logs) {
    return new LocalClusterOptions(workers, slotsPerWorker, workDir, defaultConfig, runner, logs);
  }

  public LocalClusterOptions withRunner(TaskRunner r) {
    return new LocalClusterOptions(workers, slotsPerWorker, workDir, defaultConfig, r,
        attemptLogs);
  }
}
