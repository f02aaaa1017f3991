package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.RaftLogStore;
import java.util.ArrayList;
import java.util.List;

/** {@link RaftPersistence} in memory: survives an actor restart, not a JVM restart. Thread-confined to the actor. */
public final class InMemoryRaftPersistence implements RaftPersistence {

  private HardState hardState = HardState.EMPTY;
  private Snapshot snapshot = Snapshot.EMPTY;
  private final ArrayList<Entry> entries = new ArrayList<>();

  @Override
  public synchronized PersistentState load() {
    return new PersistentState(hardState, snapshot, new ArrayList<>(entries));
  }

  @Override
  public synchronized void append(List<Entry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long first = newEntries.get(0).index();
    while (!entries.isEmpty() && entries.get(entries.size() - 1).index() >= first) {
      entries.remove(entries.size() - 1);
    }
    entries.addAll(newEntries);
  }

  @Override
  public synchronized void saveHardState(HardState state) {
    hardState = state;
  }

  @Override
  public synchronized void installSnapshot(Snapshot s) {
    snapshot = s;
    entries.clear();
  }

  @Override
  public synchronized void saveSnapshot(Snapshot s) {
    snapshot = s;
    entries.removeIf(e -> e.index() <= s.index());
  }

  @Override
  public synchronized SnapshotSource openSnapshot() {
    return snapshot.isEmpty() ? null : SnapshotSource.of(
        new Snapshot(snapshot.index(), snapshot.term(), snapshot.membership(), null),
        RaftLogStore.encodeSnapshot(snapshot));
  }

  @Override
  public void sync() {
    // Memory is as durable as it gets here.
  }
}
