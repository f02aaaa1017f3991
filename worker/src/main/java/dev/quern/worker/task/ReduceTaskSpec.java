package dev.quern.worker.task;

import dev.quern.api.JobSpec;
import java.util.List;

/**
 * One reduce attempt: fetch {@code partition} from every map output in {@code inputs} (one per
 * map task, the committed attempt's), merge, group, reduce, and write through the output format
 * into {@code outputWorkDir}. {@code scratchDir} holds merge spills when the inputs exceed memory.
 */
public record ReduceTaskSpec(
    TaskAttemptId id,
    JobSpec job,
    int partition,
    List<MapOutputRef> inputs,
    String scratchDir,
    String outputWorkDir)
    implements TaskSpec {

  public ReduceTaskSpec {
    inputs = List.copyOf(inputs);
  }
}
