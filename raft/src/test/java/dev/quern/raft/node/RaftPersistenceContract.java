package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.PersistentState;
import dev.quern.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RaftPersistence} must do, as the Ready loop relies on it. A durable store runs
 * the same checks by extending this class; {@link #reopen} then simulates a process restart.
 */
public abstract class RaftPersistenceContract {

  /** A fresh, empty store. */
  protected abstract RaftPersistence create();

  /** The same storage seen by a restarted process (after {@link RaftPersistence#sync()}). */
  protected abstract RaftPersistence reopen(RaftPersistence store);

  private static List<Entry> entries(long first, long term, int n) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Entry(term, first + i, EntryType.NORMAL, new byte[] {(byte) (first + i), (byte) term}));
    }
    return out;
  }

  @Test
  public void emptyStoreLoadsEmpty() {
    PersistentState s = create().load();
    assertThat(s.hardState()).isEqualTo(HardState.EMPTY);
    assertThat(s.snapshot().isEmpty()).isTrue();
    assertThat(s.entries()).isEmpty();
  }

  @Test
  public void appendTruncatesConflictingSuffix() {
    RaftPersistence store = create();
    store.append(entries(1, 1, 5));
    store.append(entries(4, 2, 3)); // replaces 4 and 5, adds 6
    store.saveHardState(new HardState(2, 3, 4));
    store.sync();
    PersistentState s = reopen(store).load();
    assertThat(s.entries()).containsExactlyElementsOf(concat(entries(1, 1, 3), entries(4, 2, 3)));
    assertThat(s.hardState()).isEqualTo(new HardState(2, 3, 4));
  }

  @Test
  public void installedSnapshotReplacesAllEntries() {
    RaftPersistence store = create();
    store.append(entries(1, 1, 5));
    Snapshot snap = new Snapshot(10, 3, new Membership(List.of(1L, 2L, 3L), List.of()), new byte[] {42});
    store.installSnapshot(snap);
    store.append(entries(11, 3, 2));
    store.sync();
    PersistentState s = reopen(store).load();
    assertThat(s.snapshot()).isEqualTo(snap);
    assertThat(s.entries()).containsExactlyElementsOf(entries(11, 3, 2));
  }

  @Test
  public void ownSnapshotKeepsEntriesAfterIt() {
    RaftPersistence store = create();
    store.append(entries(1, 1, 8));
    Snapshot snap = new Snapshot(5, 1, new Membership(List.of(1L), List.of()), new byte[] {7});
    store.saveSnapshot(snap);
    store.sync();
    PersistentState s = reopen(store).load();
    assertThat(s.snapshot()).isEqualTo(snap);
    // Entries at or below the snapshot may stay (a restart ignores them); the ones after must be there.
    assertThat(s.entries().stream().filter(e -> e.index() > 5)).containsExactlyElementsOf(entries(6, 1, 3));
  }

  private static List<Entry> concat(List<Entry> a, List<Entry> b) {
    List<Entry> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
