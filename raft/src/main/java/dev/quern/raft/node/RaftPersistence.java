package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.RaftLogStore;
import java.nio.file.Path;
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

  // ---- snapshots written off the actor thread and streamed in chunks (defaults: in memory)

  /**
   * Writes {@code s} durably where {@link #saveSnapshot(Snapshot, Path)} will find it, without
   * changing what this store holds; returns that place, or null if this store writes in
   * {@code saveSnapshot} instead. Called on a thread of its own, while the node goes on using the
   * store: it must touch nothing the other methods use. A crash before {@code saveSnapshot} must
   * leave the store as if this was never called.
   */
  default Path writeSnapshotAhead(Snapshot s) {
    return null;
  }

  /** {@link #saveSnapshot(Snapshot)} of a snapshot {@link #writeSnapshotAhead} wrote to {@code written}. */
  default void saveSnapshot(Snapshot s, Path written) {
    saveSnapshot(s);
  }

  /** {@link #installSnapshot(Snapshot)} of a snapshot a {@link #receiveSnapshot} sink verified in {@code file}. */
  default void installSnapshot(Snapshot s, Path file) {
    installSnapshot(s);
  }

  /** The current snapshot as file bytes to stream to a follower, or null if there is none. */
  default SnapshotSource openSnapshot() {
    Snapshot s = load().snapshot();
    return s.isEmpty() ? null
        : SnapshotSource.of(new Snapshot(s.index(), s.term(), s.membership(), null), RaftLogStore.encodeSnapshot(s));
  }

  /** A place for the snapshot at ({@code index}, {@code term}) arriving from the leader in chunks. */
  default SnapshotSink receiveSnapshot(long index, long term) {
    return SnapshotSink.inMemory();
  }
}
