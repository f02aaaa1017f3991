package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.node.WalRaftPersistence;
import dev.quern.raft.storage.RaftLogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trailing margin of entries kept below a snapshot ({@link RaftConfig#compactionMargin()}) for
 * followers that lag a little: kept by the core and by the WAL, and across a restart, so a restarted
 * node compacts no more than one that kept running.
 */
class CompactionMarginTest {

  private static final Membership ONE = new Membership(List.of(1L), List.of());

  @TempDir
  Path tmp;

  private static List<Entry> entries(long from, long to) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      list.add(new Entry(i <= 20 ? 1 : 2, i, EntryType.NORMAL, new byte[] {(byte) i}));
    }
    return list;
  }

  @Test
  void theWalKeepsTheMarginAndARestartedCoreHasTheSameLogAsOneThatKeptRunning() {
    RaftLogStore.Options options = new RaftLogStore.Options(300).withCompactionMargin(5); // small segments
    WalRaftPersistence store = WalRaftPersistence.open(tmp, options);
    store.append(entries(1, 40));
    store.saveHardState(new HardState(2, 1, 40));
    store.sync();
    Snapshot at30 = new Snapshot(30, 2, ONE, new byte[] {30});
    store.saveSnapshot(at30);
    store.sync();

    // The core that kept running: same log, compacted at 30 with the same margin.
    RaftLog running = new RaftLog(new PersistentState(new HardState(2, 1, 40), Snapshot.EMPTY, entries(1, 40)));
    running.commitTo(40);
    running.appliedTo(40);
    running.compact(30, new byte[] {30}, 5);
    assertThat(running.firstIndex()).isEqualTo(26);

    store.close();
    WalRaftPersistence reopened = WalRaftPersistence.open(tmp, options);
    PersistentState loaded = reopened.load();
    assertThat(loaded.snapshot()).isEqualTo(at30);
    assertThat(loaded.entries()).isEqualTo(entries(25, 40)); // entry 25 gives the term at the margin's base

    RaftLog restarted = new RaftLog(loaded);
    assertThat(restarted.firstIndex()).isEqualTo(running.firstIndex());
    assertThat(restarted.lastIndex()).isEqualTo(40);
    for (long i = 25; i <= 40; i++) {
      assertThat(restarted.term(i)).as("term at " + i).isEqualTo(running.term(i));
    }
    assertThat(restarted.term(24)).isEqualTo(-1); // compacted, as in the running one
    assertThat(restarted.snapshot().index()).isEqualTo(30);
    assertThat(restarted.membership()).isEqualTo(ONE);
    assertThat(restarted.committed).isEqualTo(40);
    assertThat(restarted.applied).isEqualTo(30); // entries after the snapshot are applied again

    // The next compaction after the restart drops exactly what the running node drops.
    restarted.appliedTo(40);
    running.compact(38, new byte[] {38}, 5);
    restarted.compact(38, new byte[] {38}, 5);
    assertThat(restarted.firstIndex()).isEqualTo(running.firstIndex()).isEqualTo(34);
    reopened.saveSnapshot(new Snapshot(38, 2, ONE, new byte[] {38}));
    reopened.close();
    assertThat(WalRaftPersistence.open(tmp, options).load().entries()).isEqualTo(entries(33, 40));
  }

  @Test
  void withoutAMarginTheWalAndTheCoreStartAfterTheSnapshot() {
    RaftLogStore.Options options = new RaftLogStore.Options(300);
    WalRaftPersistence store = WalRaftPersistence.open(tmp, options);
    store.append(entries(1, 40));
    store.sync();
    store.saveSnapshot(new Snapshot(30, 2, ONE, new byte[] {30}));
    store.close();
    PersistentState loaded = WalRaftPersistence.open(tmp, options).load();
    assertThat(loaded.entries()).isEqualTo(entries(31, 40));
    assertThat(new RaftLog(loaded).firstIndex()).isEqualTo(31);
  }

  @Test
  void aMarginThatDisagreesWithTheSnapshotIsNotKept() {
    // Entries at and below the snapshot from another history (term 9 at 30): only those after count.
    List<Entry> stored = new ArrayList<>();
    for (long i = 25; i <= 40; i++) {
      stored.add(new Entry(9, i, EntryType.NORMAL, new byte[0]));
    }
    RaftLog log = new RaftLog(new PersistentState(HardState.EMPTY, new Snapshot(30, 2, ONE, null), stored));
    assertThat(log.firstIndex()).isEqualTo(31);
    assertThat(log.term(30)).isEqualTo(2);
  }

  @Test
  void configValidatesTheSnapshotOptions() {
    RaftConfig c = RaftConfig.builder(1).snapshotChunkBytes(1000).snapshotInflightBytes(4000)
        .snapshotAfterBytes(1 << 20).compactionMargin(7).build();
    assertThat(c.snapshotInflightBytes()).isEqualTo(4000);
    assertThat(c.snapshotAfterBytes()).isEqualTo(1 << 20);
    assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    assertThat(RaftConfig.defaults(1).snapshotInflightBytes()).isEqualTo(4 * RaftConfig.defaults(1).snapshotChunkBytes());
    assertThat(RaftConfig.defaults(1).snapshotAfterBytes()).isZero();
    assertThatThrownBy(() -> RaftConfig.builder(1).snapshotChunkBytes(1000).snapshotInflightBytes(999).build())
        .hasMessage("snapshotInflightBytes must be at least snapshotChunkBytes (1000) so that one chunk fits the"
            + " window: 999");
    assertThatThrownBy(() -> RaftConfig.builder(1).snapshotAfterBytes(-1).build())
        .hasMessage("snapshotAfterBytes must be at least 0: -1");
    assertThatThrownBy(() -> RaftConfig.builder(1).compactionMargin(-1).build())
        .hasMessage("compactionMargin must be at least 0: -1");
    assertThatThrownBy(() -> new RaftLogStore.Options(300).withCompactionMargin(-1))
        .hasMessage("compactionMargin must not be negative: -1");
  }
}
