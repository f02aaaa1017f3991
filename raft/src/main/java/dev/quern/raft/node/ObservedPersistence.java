package dev.quern.raft.node;

import dev.quern.raft.Entry;
import dev.quern.raft.HardState;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import dev.quern.raft.node.RaftMetrics.Counter;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's store as its driver sees it: times every {@link #sync()} (the fsync histogram) and
 * counts and logs the snapshots it saves (taken here) and installs (received from a leader). Wrapping
 * the store catches every sync and snapshot wherever the driver makes it, with no timing code in the
 * Ready loop. Exceptions pass through untouched; a sync that throws is not timed.
 */
final class ObservedPersistence implements RaftPersistence {

  private final RaftPersistence delegate;
  private final RaftMetrics metrics;
  private final long id;

  ObservedPersistence(RaftPersistence delegate, RaftMetrics metrics, long id) {
    this.delegate = delegate;
    this.metrics = metrics;
    this.id = id;
  }

  @Override
  public PersistentState load() {
    return delegate.load();
  }

  @Override
  public void append(List<Entry> entries) {
    delegate.append(entries);
  }

  @Override
  public void saveHardState(HardState state) {
    delegate.saveHardState(state);
  }

  @Override
  public Path writeSnapshotAhead(Snapshot s) {
    return delegate.writeSnapshotAhead(s);
  }

  @Override
  public SnapshotSource openSnapshot() {
    return delegate.openSnapshot();
  }

  @Override
  public SnapshotSink receiveSnapshot(long index, long term) {
    return delegate.receiveSnapshot(index, term);
  }

  @Override
  public void installSnapshot(Snapshot snapshot, Path file) {
    delegate.installSnapshot(snapshot, file);
    installed(snapshot);
  }

  @Override
  public void saveSnapshot(Snapshot snapshot, Path written) {
    delegate.saveSnapshot(snapshot, written);
    saved(snapshot);
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    delegate.installSnapshot(snapshot);
    installed(snapshot);
  }

  private void installed(Snapshot snapshot) {
    metrics.increment(Counter.SNAPSHOTS_INSTALLED);
    metrics.add(Counter.SNAPSHOT_BYTES_INSTALLED, snapshot.data().length);
    NodeObserver.LOG.info("raft node {} installs the leader's snapshot at index {} (term {}, {} bytes)",
        id, snapshot.index(), snapshot.term(), snapshot.data().length);
  }

  @Override
  public void saveSnapshot(Snapshot snapshot) {
    delegate.saveSnapshot(snapshot);
    saved(snapshot);
  }

  private void saved(Snapshot snapshot) {
    metrics.increment(Counter.SNAPSHOTS_TAKEN);
    metrics.add(Counter.SNAPSHOT_BYTES_TAKEN, snapshot.data().length);
    NodeObserver.LOG.info("raft node {} took a snapshot at index {} (term {}, {} bytes)",
        id, snapshot.index(), snapshot.term(), snapshot.data().length);
  }

  @Override
  public void sync() {
    long start = System.nanoTime();
    delegate.sync();
    metrics.fsync().recordNanos(System.nanoTime() - start);
  }
}
