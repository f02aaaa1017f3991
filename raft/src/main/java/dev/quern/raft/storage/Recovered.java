package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.Snapshot;
import java.util.List;
import java.util.Optional;

/**
 * What survived on disk when a {@link RaftLogStore} was opened: the hard state, the latest durable
 * snapshot if any, and the entries after it (contiguous, starting at snapshot index + 1, or at 1).
 *
 * @param droppedTailBytes bytes of a torn tail cut from the last segment (0 after a clean
 *     shutdown): damage with no valid record after it, which is what a crash during an unsynced
 *     write leaves
 */
public record Recovered(HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries, long droppedTailBytes) {

  public Recovered {
    entries = List.copyOf(entries);
  }
}
