package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import java.util.List;

/**
 * Stable storage for one Raft node, written in the order a {@link dev.quern.raft.Ready} gives:
 * snapshot, entries, hard state, then {@link #sync()} before any message of that Ready is sent.
 * The durable write-ahead log implements this; {@link InMemoryRaftPersistence} is for tests.
 *
 * <p>Failures: {@link #sync()} either returns with everything durable or throws, and the node
 * treats any exception from it as fatal (after a failed fsync nobody can say what is on disk).
 * Any method may throw {@link FatalStorageException} for the same reason or for damage found on
 * disk; other exceptions make the node restart its actor and {@link #load()} again.
 */
public interface RaftPersistence {

  /** What was stored, for a restart ({@link PersistentState#EMPTY} the first time). */
  PersistentState load();

  /** Appends entries, first dropping every stored entry at or after the first one's index. */
  void append(List<Entry> entries);

  void saveHardState(HardState state);

  /** A snapshot received from the leader: it replaces every stored entry. */
  void installSnapshot(Snapshot snapshot);

  /** A snapshot this node took: stored entries up to its index may be dropped. */
  void saveSnapshot(Snapshot snapshot);

  /** Makes everything written so far durable (fsync); see the failure rules above. */
  void sync();
}
