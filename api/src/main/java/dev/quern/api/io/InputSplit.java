package dev.quern.api.io;

import java.util.List;

/**
 * A slice of the job's input that one map task reads. Implementations are records (they travel
 * between processes, serialized with Kryo) and say where the data lives.
 *
 * <pre>{@code
 * InputSplit s = new FileSplit("/data/a.txt", 0, 64 << 20, List.of());
 * }</pre>
 */
public interface InputSplit {

  /** Size in bytes, for scheduling (largest first) and progress. */
  long length();

  /** Hosts that hold the data locally, preferred by the scheduler; empty when any host will do. */
  default List<String> hosts() {
    return List.of();
  }

  /** Names the split in errors and in the UI, e.g. {@code /data/a.txt:0+67108864}. */
  String describe();
}
