package dev.quern.worker.task;

import dev.quern.api.JobSpec;
import dev.quern.api.io.InputSplit;

/**
 * One map attempt: read {@code split}, run the mapper. With reduce tasks, the sorted, partitioned
 * output goes to one data file plus an index under {@code scratchDir}; in a map-only job the
 * records go through the output format into {@code outputWorkDir}.
 */
public record MapTaskSpec(
    TaskAttemptId id, JobSpec job, InputSplit split, String scratchDir, String outputWorkDir)
    implements TaskSpec {}
