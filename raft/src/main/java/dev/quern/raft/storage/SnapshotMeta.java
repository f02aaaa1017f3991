package dev.quern.raft.storage;

/**
 * Identifies a snapshot by the last log entry it covers: its index and term.
 *
 * <pre>{@code store.saveSnapshot(new SnapshotMeta(1000, 7), stateMachineBytes);}</pre>
 */
public record SnapshotMeta(long index, long term) {

  public SnapshotMeta {
    if (index < 1 || term < 0) {
      throw new IllegalArgumentException("snapshot index must be >= 1 and term >= 0: index=" + index + " term=" + term);
    }
  }
}
