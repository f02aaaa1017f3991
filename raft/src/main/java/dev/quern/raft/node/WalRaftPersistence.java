package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.RaftLogStore;
import dev.quern.raft.storage.SnapshotMeta;
import dev.quern.raft.storage.StoredEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link RaftPersistence} on the durable write-ahead log {@link RaftLogStore}. Entries and hard state
 * of one Ready are staged and written by {@link #sync()} with the store's {@code persist}: one write
 * and one fsync, before the node sends anything. A hard state staged without a sync (a new commit
 * index alone, which need not be durable) goes out with the next sync or on {@link #close()}.
 *
 * <p>Encodings, each starting with {@link #VERSION}: an entry's data is {@code [version][type
 * ordinal][payload]}; a snapshot's data is {@code [version][voters][learners][application bytes]}
 * (the store keeps index and term itself); the vote is the node id in decimal, {@code null} for
 * {@link RaftCore#NONE}.
 *
 * <p>IO errors surface as {@link UncheckedIOException}: the node actor then restarts and reopens
 * the store through {@link #reopening(Path, RaftLogStore.Options)}, which is what a failed fsync demands.
 */
public final class WalRaftPersistence implements RaftPersistence, AutoCloseable {

  /** Format version of the bytes this class puts into the store. */
  static final byte VERSION = 1;

  private static final EntryType[] TYPES = EntryType.values();

  private final RaftLogStore store;
  private final List<StoredEntry> stagedEntries = new ArrayList<>();
  private dev.quern.raft.storage.HardState stagedHardState;

  private WalRaftPersistence(RaftLogStore store) {
    this.store = store;
  }

  /** Opens (creating if needed) the log in {@code dir}. */
  public static WalRaftPersistence open(Path dir, RaftLogStore.Options options) {
    try {
      return new WalRaftPersistence(RaftLogStore.open(dir, options));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open Raft log in " + dir, e);
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
    try {
      Snapshot snapshot = store.readSnapshot()
          .map(s -> decodeSnapshot(s.meta(), s.data()))
          .orElse(Snapshot.EMPTY);
      List<StoredEntry> stored = store.entries(store.firstIndex(), store.lastIndex() + 1);
      List<Entry> entries = new ArrayList<>(stored.size());
      for (StoredEntry e : stored) {
        entries.add(decodeEntry(e));
      }
      return new PersistentState(fromStore(store.hardState()), snapshot, entries);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Raft snapshot", e);
    }
  }

  @Override
  public void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (!stagedEntries.isEmpty()) {
      flushStaged(); // two appends without a sync between: keep their order
    }
    for (Entry e : entries) {
      stagedEntries.add(encodeEntry(e));
    }
  }

  @Override
  public void saveHardState(HardState state) {
    stagedHardState = toStore(state);
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

  @Override
  public void sync() {
    try {
      store.persist(List.copyOf(stagedEntries), stagedHardState);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist to the Raft log", e);
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
      throw new UncheckedIOException("cannot write to the Raft log", e);
    } finally {
      stagedEntries.clear();
      stagedHardState = null;
    }
  }

  private void saveToStore(Snapshot snapshot) {
    try {
      store.saveSnapshot(new SnapshotMeta(snapshot.index(), snapshot.term()), encodeSnapshot(snapshot));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save Raft snapshot at " + snapshot.index(), e);
    }
  }

  static StoredEntry encodeEntry(Entry e) {
    byte[] data = new byte[2 + e.data().length];
    data[0] = VERSION;
    data[1] = (byte) e.type().ordinal();
    System.arraycopy(e.data(), 0, data, 2, e.data().length);
    return new StoredEntry(e.index(), e.term(), data);
  }

  static Entry decodeEntry(StoredEntry e) {
    byte[] d = e.data();
    if (d.length < 2 || d[0] != VERSION || d[1] < 0 || d[1] >= TYPES.length) {
      throw new IllegalStateException("Raft log entry " + e.index() + " has an unknown encoding (version "
          + (d.length > 0 ? d[0] : -1) + ", type " + (d.length > 1 ? d[1] : -1) + ")");
    }
    return new Entry(e.term(), e.index(), TYPES[d[1]], Arrays.copyOfRange(d, 2, d.length));
  }

  static byte[] encodeSnapshot(Snapshot s) {
    List<Long> voters = s.membership().voters();
    List<Long> learners = s.membership().learners();
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 * (voters.size() + learners.size()) + s.data().length);
    b.put(VERSION).putInt(voters.size());
    voters.forEach(b::putLong);
    b.putInt(learners.size());
    learners.forEach(b::putLong);
    b.put(s.data());
    return b.array();
  }

  static Snapshot decodeSnapshot(SnapshotMeta meta, byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalStateException("Raft snapshot at " + meta.index() + " has unknown version " + version);
    }
    List<Long> voters = readIds(b);
    List<Long> learners = readIds(b);
    byte[] app = new byte[b.remaining()];
    b.get(app);
    return new Snapshot(meta.index(), meta.term(), new Membership(voters, learners), app);
  }

  private static List<Long> readIds(ByteBuffer b) {
    int n = b.getInt();
    List<Long> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(b.getLong());
    }
    return ids;
  }

  static dev.quern.raft.storage.HardState toStore(HardState h) {
    return new dev.quern.raft.storage.HardState(h.term(),
        h.vote() == RaftCore.NONE ? null : Long.toString(h.vote()), h.commit());
  }

  static HardState fromStore(dev.quern.raft.storage.HardState h) {
    return new HardState(h.term(), h.votedFor() == null ? RaftCore.NONE : Long.parseLong(h.votedFor()), h.commit());
  }
}
