package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.CorruptLogException;
import dev.quern.raft.storage.FsyncFailedException;
import dev.quern.raft.storage.IncomingSnapshot;
import dev.quern.raft.storage.RaftLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link RaftPersistence} on the durable write-ahead log {@link RaftLogStore}. Entries and hard state
 * of one Ready are staged and written by {@link #sync()} with the store's {@code persist}: one write
 * and one fsync, before the node sends anything. A hard state staged without a sync (a new commit
 * index alone, which need not be durable) goes out with the next sync or on {@link #close()}.
 *
 * <p>Failures: a failed fsync and damage found when opening surface as {@link
 * FatalStorageException} (the node stops its process); other IO errors (a full disk, say) as
 * {@link UncheckedIOException}, after which the node actor restarts and reopens the store through
 * {@link #reopening(Path, RaftLogStore.Options)}.
 */
public final class WalRaftPersistence implements RaftPersistence, AutoCloseable {

  private final RaftLogStore store;
  private final List<Entry> stagedEntries = new ArrayList<>();
  private HardState stagedHardState;

  private WalRaftPersistence(RaftLogStore store) {
    this.store = store;
  }

  /**
   * Opens (creating if needed) the log in {@code dir}.
   *
   * @throws FatalStorageException if the log is damaged where a crash cannot explain it (the
   *     message names the file and offset), or a force during recovery failed
   */
  public static WalRaftPersistence open(Path dir, RaftLogStore.Options options) {
    try {
      return new WalRaftPersistence(RaftLogStore.open(dir, options));
    } catch (IOException e) {
      throw failure("cannot open the Raft log in " + dir, e);
    }
  }

  /**
   * A supplier for {@link RaftNodeActor#create}: each call closes the store the previous call opened
   * (the directory is locked while open) and opens it again, so an actor restart recovers from disk.
   */
  public static Supplier<RaftPersistence> reopening(Path dir, RaftLogStore.Options options) {
    WalRaftPersistence[] current = new WalRaftPersistence[1];
    return () -> {
      synchronized (current) {
        if (current[0] != null) {
          current[0].closeQuietly();
        }
        current[0] = open(dir, options);
        return current[0];
      }
    };
  }

  @Override
  public PersistentState load() {
    flushStaged();
    return new PersistentState(store.hardState(), store.snapshot().orElse(Snapshot.EMPTY),
        store.entries(store.firstIndex(), store.lastIndex() + 1));
  }

  @Override
  public void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (!stagedEntries.isEmpty()) {
      flushStaged(); // two appends without a sync between: keep their order
    }
    stagedEntries.addAll(entries);
  }

  @Override
  public void saveHardState(HardState state) {
    stagedHardState = state;
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    // The leader's snapshot replaces the log; staged entries (if any) predate it.
    stagedEntries.clear();
    saveToStore(snapshot);
  }

  @Override
  public void saveSnapshot(Snapshot snapshot) {
    flushStaged();
    saveToStore(snapshot);
  }

  /** Writes and forces a temp file; any thread (the store's directory is the only thing it shares). */
  @Override
  public Path writeSnapshotAhead(Snapshot s) {
    try {
      return store.writeSnapshotTemp(s);
    } catch (IOException e) {
      throw failure("cannot write Raft snapshot at " + s.index(), e);
    }
  }

  @Override
  public void saveSnapshot(Snapshot snapshot, Path written) {
    flushStaged();
    saveToStore(snapshot, written);
  }

  @Override
  public void installSnapshot(Snapshot snapshot, Path file) {
    stagedEntries.clear();
    saveToStore(snapshot, file);
  }

  /** Streams the snapshot file itself, from disk. */
  @Override
  public SnapshotSource openSnapshot() {
    return store.snapshotFile().map(file -> {
      Snapshot s = store.snapshot().orElseThrow();
      return SnapshotSource.ofFile(new Snapshot(s.index(), s.term(), s.membership(), null), file);
    }).orElse(null);
  }

  @Override
  public SnapshotSink receiveSnapshot(long index, long term) {
    IncomingSnapshot incoming;
    try {
      incoming = store.receiveSnapshot(index, term);
    } catch (IOException e) {
      throw failure("cannot receive Raft snapshot at " + index, e);
    }
    return new SnapshotSink() {
      @Override
      public void write(byte[] chunk) {
        try {
          incoming.write(chunk);
        } catch (IOException e) {
          throw failure("cannot write Raft snapshot at " + index, e);
        }
      }

      @Override
      public long size() {
        return incoming.size();
      }

      @Override
      public Received finish() {
        try {
          return new Received(incoming.finish(), incoming.path());
        } catch (CorruptLogException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
          throw failure("cannot write Raft snapshot at " + index, e);
        }
      }

      @Override
      public void discard() {
        incoming.discard();
      }
    };
  }

  @Override
  public void sync() {
    try {
      store.persist(List.copyOf(stagedEntries), stagedHardState);
    } catch (IOException e) {
      throw failure("cannot persist to the Raft log", e);
    } finally {
      stagedEntries.clear();
      stagedHardState = null;
    }
  }

  /** Writes what is staged, syncs and releases the directory. */
  @Override
  public void close() {
    try {
      sync();
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      store.close();
    } catch (IOException | RuntimeException e) {
      // Closing after a failed fsync can fail again; the next open recovers from what is on disk.
    }
  }

  private void flushStaged() {
    if (stagedEntries.isEmpty() && stagedHardState == null) {
      return;
    }
    try {
      store.append(List.copyOf(stagedEntries));
      if (stagedHardState != null) {
        store.saveHardState(stagedHardState);
      }
    } catch (IOException e) {
      throw failure("cannot write to the Raft log", e);
    } finally {
      stagedEntries.clear();
      stagedHardState = null;
    }
  }

  private void saveToStore(Snapshot snapshot) {
    saveToStore(snapshot, null);
  }

  private void saveToStore(Snapshot snapshot, Path written) {
    try {
      store.saveSnapshot(snapshot, written);
    } catch (IOException e) {
      throw failure("cannot save Raft snapshot at " + snapshot.index(), e);
    }
  }

  /** Fatal if an fsync failed or the log is damaged; anything else a restart may repair. */
  private static RuntimeException failure(String what, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FsyncFailedException || t instanceof CorruptLogException) {
        return new FatalStorageException(what + ": " + t.getMessage(), e);
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof FsyncFailedException) {
          return new FatalStorageException(what + ": " + s.getMessage(), e);
        }
      }
    }
    return new UncheckedIOException(what + ": " + e.getMessage(), e);
  }
}
