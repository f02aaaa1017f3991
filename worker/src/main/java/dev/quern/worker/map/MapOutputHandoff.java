package dev.quern.worker.map;

import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;

/**
 * What a map's host does with its output as the map ends: the reduces of the host may keep its
 * index (and, small, its data) in memory, and an output small enough need not be written at all
 * while they hold it.
 */
public interface MapOutputHandoff {

  /** Most stored bytes of an output that {@link #keepUnwritten} may be offered; 0 for none. */
  int holdUpTo();

  /**
   * Offers an output whose files were not written: {@code data} is its data file's bytes. True
   * when the host keeps it, and then writes both files itself before it lets the bytes go (the
   * map writes nothing); false, and the map writes the files as usual.
   */
  boolean keepUnwritten(MapOutputRef ref, PartitionIndex index, byte[] data);

  /** An output whose files are in place, with the index written. */
  void written(MapOutputRef ref, PartitionIndex index);
}
