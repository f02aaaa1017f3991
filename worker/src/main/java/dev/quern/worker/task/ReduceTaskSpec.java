package dev.quern.worker.task;

import dev.quern.api.JobSpec;
import java.util.List;

/**
 * One reduce attempt: fetch {@code partition} from every map output (one per map task, the
 * committed attempt's), merge, group, reduce, and write through the output format into {@code
 * outputWorkDir}. {@code scratchDir} holds merge spills when the inputs exceed memory.
 *
 * <p>{@code inputs} are the map outputs that existed when the attempt started. A reduce started
 * before every map finished (slow start, {@code quern.reduce.slowstart.completed-maps} below 1)
 * has fewer than {@code mapCount} of them and learns of the rest as they appear ({@link
 * MapOutputFeed}); it reduces only once it holds the output of each of the {@code mapCount} maps.
 */
public record ReduceTaskSpec(
    TaskAttemptId id,
    JobSpec job,
    int partition,
    List<MapOutputRef> inputs,
    String scratchDir,
    String outputWorkDir,
    int mapCount)
    implements TaskSpec {

  public ReduceTaskSpec {
    inputs = List.copyOf(inputs);
    if (mapCount < inputs.size()) {
      throw new IllegalArgumentException("a reduce of " + mapCount + " maps given "
          + inputs.size() + " map outputs");
    }
  }

  /** A reduce that starts with the output of every map: {@code inputs} holds one per map. */
  public ReduceTaskSpec(TaskAttemptId id, JobSpec job, int partition, List<MapOutputRef> inputs,
      String scratchDir, String outputWorkDir) {
    this(id, job, partition, inputs, scratchDir, outputWorkDir, inputs.size());
  }

  /** Whether it starts with every map's output (no later one needed). */
  public boolean complete() {
    return inputs.size() == mapCount;
  }
}
