package dev.quern.raft;

import dev.quern.raft.node.InMemoryRaftPersistence;
import dev.quern.raft.node.RaftPersistence;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulation's disk: writes stay in a volatile buffer until {@link #sync()}, and a crash (reopening
 * the disk) loses whatever was not synced. This is what makes a wrong {@link Ready#mustSync()} visible:
 * a vote or an entry acknowledged without a sync would be forgotten by a restart.
 */
final class SimDisk implements RaftPersistence {

  /** What has reached the platters: survives crashes. */
  private final InMemoryRaftPersistence durable;
  private final List<Runnable> unsynced = new ArrayList<>();

  private SimDisk(InMemoryRaftPersistence durable) {
    this.durable = durable;
  }

  /** One durable medium per node; every open (start or restart) sees only what was synced. */
  static SimCluster.StorageFactory factory() {
    java.util.Map<Long, InMemoryRaftPersistence> media = new java.util.HashMap<>();
    return (id, incarnation) -> new SimDisk(media.computeIfAbsent(id, k -> new InMemoryRaftPersistence()));
  }

  @Override
  public PersistentState load() {
    return durable.load();
  }

  @Override
  public void append(List<Entry> entries) {
    List<Entry> copy = List.copyOf(entries);
    unsynced.add(() -> durable.append(copy));
  }

  @Override
  public void saveHardState(HardState state) {
    unsynced.add(() -> durable.saveHardState(state));
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    unsynced.add(() -> durable.installSnapshot(snapshot));
  }

  @Override
  public void saveSnapshot(Snapshot snapshot) {
    unsynced.add(() -> durable.saveSnapshot(snapshot));
  }

  @Override
  public void sync() {
    unsynced.forEach(Runnable::run);
    unsynced.clear();
  }
}
