package dev.quern.worker.spill;

import java.nio.file.Path;

/** A data file of partitioned sorted runs (a spill, a merge pass, a map output) and its index. */
public record SpillFile(Path file, PartitionIndex index) {}
