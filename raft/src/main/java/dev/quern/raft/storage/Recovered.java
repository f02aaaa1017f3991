package dev.quern.raft.storage;

import java.util.List;
import java.util.Optional;

/**
 * What survived on disk when a {@link RaftLogStore} was opened: the hard state, the latest durable
 * snapshot if any, and the entries after it (contiguous, starting at snapshot index + 1, or at 1).
 *
 * @param droppedTailBytes bytes of a torn or corrupt tail cut from the last segment (0 after a
 *     clean shutdown); anything dropped there was never synced, so never acknowledged
 */
public record Recovered(HardState hardState, Optional<Snapshot> snapshot, List<StoredEntry> entries, long droppedTailBytes) {

  public Recovered {
    entries = List.copyOf(entries);
  }
}
