package dev.quern.raft.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * A durable snapshot: what it covers plus the state machine bytes (the core encodes membership in
 * them). The array is not copied.
 */
public record Snapshot(SnapshotMeta meta, byte[] data) {

  public Snapshot {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(data, "data");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot s && s.meta.equals(meta) && Arrays.equals(s.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(meta, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "Snapshot[" + meta + ", " + data.length + " bytes]";
  }
}
