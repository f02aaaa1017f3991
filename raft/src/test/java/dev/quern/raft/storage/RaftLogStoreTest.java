package dev.quern.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftLogStoreTest {

  @TempDir
  Path dir;

  static Entry entry(long index, long term) {
    return new Entry(term, index, EntryType.values()[(int) (index % 3)], ("e" + index + "t" + term).getBytes(StandardCharsets.UTF_8));
  }

  static List<Entry> entries(long from, long toInclusive, long term) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= toInclusive; i++) {
      list.add(entry(i, term));
    }
    return list;
  }

  static Snapshot snapshot(long index, long term, byte[] data) {
    return new Snapshot(index, term, new Membership(List.of(1L, 2L, 3L), List.of(7L)), data);
  }

  static List<String> files(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
    }
  }

  @Test
  void emptyStoreStartsAtIndexOne() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().hardState()).isEqualTo(HardState.EMPTY);
      assertThat(store.recovered().snapshot()).isEmpty();
      assertThat(store.recovered().entries()).isEmpty();
      assertThat(store.firstIndex()).isEqualTo(1);
      assertThat(store.lastIndex()).isZero();
      assertThat(store.term(0)).isZero();
    }
  }

  @Test
  void entriesAndHardStateRoundTrip() throws IOException {
    HardState hs = new HardState(3, 2, 4);
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 3, 1), new HardState(1, 0, 0));
      store.append(entries(4, 5, 3));
      store.saveHardState(hs);
      store.sync();
      assertThat(store.entries(2, 5)).containsExactly(entry(2, 1), entry(3, 1), entry(4, 3));
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      Recovered r = store.recovered();
      assertThat(r.hardState()).isEqualTo(hs);
      assertThat(r.droppedTailBytes()).isZero();
      List<Entry> expected = new ArrayList<>(entries(1, 3, 1));
      expected.addAll(entries(4, 5, 3));
      assertThat(r.entries()).containsExactlyElementsOf(expected);
      assertThat(store.entries(1, 6)).containsExactlyElementsOf(expected);
      assertThat(store.term(3)).isEqualTo(1);
      assertThat(store.term(5)).isEqualTo(3);
      assertThat(store.lastIndex()).isEqualTo(5);
    }
  }

  @Test
  void conflictingAppendTruncatesAndSurvivesReopen() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 5, 1), null);
      store.persist(List.of(entry(3, 2), entry(4, 2)), null);
      assertThat(store.lastIndex()).isEqualTo(4);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().entries()).containsExactly(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2));
      store.persist(List.of(entry(5, 2)), null);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.entries(1, 6)).containsExactly(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 2));
    }
  }

  @Test
  void rejectsAppendsThatBreakTheLog() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.append(entries(1, 3, 2));
      assertThatThrownBy(() -> store.append(List.of(entry(5, 2))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gap");
      assertThatThrownBy(() -> store.append(List.of(entry(4, 2), entry(6, 2))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not contiguous");
      assertThatThrownBy(() -> store.append(List.of(entry(4, 1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the previous entry's term");
      store.saveSnapshot(snapshot(2, 2, new byte[] {1}));
      assertThatThrownBy(() -> store.append(List.of(entry(2, 3))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be overwritten");
      assertThat(store.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void rollsToNewSegmentsAndReadsThemBack() throws IOException {
    RaftLogStore.Options small = new RaftLogStore.Options(300);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      for (long i = 1; i <= 60; i++) {
        store.append(List.of(entry(i, 1)));
      }
      store.sync();
    }
    assertThat(files(dir, "wal-")).hasSizeGreaterThan(5);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      assertThat(store.recovered().entries()).containsExactlyElementsOf(entries(1, 60, 1));
    }
  }

  @Test
  void snapshotDeletesOnlyCoveredSegmentsAndReopensAsSnapshotPlusTail() throws IOException {
    RaftLogStore.Options small = new RaftLogStore.Options(300);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      for (long i = 1; i <= 60; i++) {
        store.append(List.of(entry(i, 1)));
      }
      store.saveHardState(new HardState(1, 1, 50));
      int segmentsBefore = files(dir, "wal-").size();
      store.saveSnapshot(snapshot(30, 1, "state@30".getBytes(StandardCharsets.UTF_8)));
      assertThat(files(dir, "wal-")).hasSizeLessThan(segmentsBefore);
      assertThat(files(dir, "snap-")).containsExactly(SnapshotFiles.fileName(30, 1));
      assertThat(store.firstIndex()).isEqualTo(31);
      assertThat(store.term(30)).isEqualTo(1);
      assertThat(store.entries(31, 61)).containsExactlyElementsOf(entries(31, 60, 1));
      assertThatThrownBy(() -> store.entries(30, 31)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> store.term(29)).isInstanceOf(IndexOutOfBoundsException.class);
    }
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      Recovered r = store.recovered();
      assertThat(r.snapshot()).contains(snapshot(30, 1, "state@30".getBytes(StandardCharsets.UTF_8)));
      assertThat(r.entries()).containsExactlyElementsOf(entries(31, 60, 1));
      assertThat(r.hardState()).isEqualTo(new HardState(1, 1, 50));
      // A second snapshot replaces the first file once it is durable.
      store.saveSnapshot(snapshot(55, 1, new byte[] {55}));
      assertThat(files(dir, "snap-")).containsExactly(SnapshotFiles.fileName(55, 1));
      assertThat(store.snapshot()).contains(snapshot(55, 1, new byte[] {55}));
    }
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      assertThat(store.recovered().entries()).containsExactlyElementsOf(entries(56, 60, 1));
      assertThat(store.recovered().hardState()).isEqualTo(new HardState(1, 1, 50));
    }
  }

  @Test
  void failedSnapshotWriteDeletesNothing() throws IOException {
    RaftLogStore.Options small = new RaftLogStore.Options(300);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      for (long i = 1; i <= 60; i++) {
        store.append(List.of(entry(i, 1)));
      }
      List<String> segmentsBefore = files(dir, "wal-");
      // A directory where the temp file must go makes the snapshot write fail before the rename.
      Snapshot snap = snapshot(30, 1, new byte[10]);
      Files.createDirectory(dir.resolve(SnapshotFiles.fileName(snap) + ".tmp"));
      assertThatThrownBy(() -> store.saveSnapshot(snap)).isInstanceOf(IOException.class);
      assertThat(files(dir, "wal-")).isEqualTo(segmentsBefore);
      assertThat(files(dir, "snap-")).containsExactly(SnapshotFiles.fileName(snap) + ".tmp");
      assertThat(store.entries(1, 61)).containsExactlyElementsOf(entries(1, 60, 1));
      Files.delete(dir.resolve(SnapshotFiles.fileName(snap) + ".tmp"));
    }
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      assertThat(store.recovered().snapshot()).isEmpty();
      assertThat(store.recovered().entries()).containsExactlyElementsOf(entries(1, 60, 1));
    }
  }

  @Test
  void snapshotFromAnotherHistoryReplacesTheWholeLog() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 10, 1), null);
      store.saveSnapshot(snapshot(8, 4, new byte[] {8}));
      assertThat(store.firstIndex()).isEqualTo(9);
      assertThat(store.lastIndex()).isEqualTo(8);
      assertThat(store.term(8)).isEqualTo(4);
      store.persist(List.of(entry(9, 4)), null);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().snapshot()).contains(snapshot(8, 4, new byte[] {8}));
      assertThat(store.recovered().entries()).containsExactly(entry(9, 4));
      assertThat(files(dir, "wal-")).hasSize(1);
    }
  }

  @Test
  void crashBetweenSnapshotRenameAndLogResetIsRepairedOnOpen() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 10, 1), null);
    }
    // As if the snapshot became durable and the process died before writing LOG_BASE.
    SnapshotFiles.write(dir, snapshot(12, 3, new byte[] {12}), Fsync.FORCE);
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().entries()).isEmpty();
      assertThat(store.lastIndex()).isEqualTo(12);
      store.persist(List.of(entry(13, 3)), null);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().entries()).containsExactly(entry(13, 3));
      assertThat(store.term(12)).isEqualTo(3);
    }
  }

  @Test
  void corruptionInAnOlderSegmentNamesFileAndOffset() throws IOException {
    RaftLogStore.Options small = new RaftLogStore.Options(300);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      for (long i = 1; i <= 40; i++) {
        store.append(List.of(entry(i, 1)));
      }
    }
    List<String> segments = files(dir, "wal-");
    Path first = dir.resolve(segments.get(0));
    byte[] bytes = Files.readAllBytes(first);
    int flipAt = bytes.length / 2;
    bytes[flipAt] ^= 0x40;
    Files.write(first, bytes);
    assertThatThrownBy(() -> RaftLogStore.open(dir, small))
        .isInstanceOfSatisfying(CorruptLogException.class, e -> {
          assertThat(e.file()).isEqualTo(first);
          assertThat(e.offset()).isBetween(0L, (long) flipAt);
          assertThat(e.getMessage()).contains(segments.get(0)).contains("offset " + e.offset());
        });
    // The damaged file was left as it was for inspection.
    assertThat(Files.readAllBytes(first)).isEqualTo(bytes);
  }

  @Test
  void tornTailOfLastSegmentIsCutAndAppendsContinue() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 5, 1), null);
    }
    Path seg = dir.resolve(files(dir, "wal-").get(0));
    long fullSize = Files.size(seg);
    try (var ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(fullSize - 3);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().entries()).containsExactlyElementsOf(entries(1, 4, 1));
      assertThat(store.recovered().droppedTailBytes()).isPositive();
      store.persist(List.of(entry(5, 2)), null);
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().droppedTailBytes()).isZero();
      assertThat(store.entries(4, 6)).containsExactly(entry(4, 1), entry(5, 2));
    }
  }

  @Test
  void leftoversOfACrashDuringSnapshottingAreCleanedUp() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(entries(1, 10, 1), null);
      store.saveSnapshot(snapshot(4, 1, new byte[] {4}));
    }
    // Died after the new snapshot's rename but before deleting the old one, and mid-way through another.
    SnapshotFiles.write(dir, snapshot(2, 1, new byte[] {2}), Fsync.FORCE);
    Files.write(dir.resolve("snap-00000000000000000009-00000000000000000001.snap.tmp"), new byte[] {1, 2, 3});
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.recovered().snapshot()).contains(snapshot(4, 1, new byte[] {4}));
      assertThat(store.recovered().entries()).containsExactlyElementsOf(entries(5, 10, 1));
    }
    assertThat(files(dir, "snap-")).containsExactly(SnapshotFiles.fileName(4, 1));
  }

  @Test
  void directoryCanBeOpenedOnlyOnce() throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThatThrownBy(() -> RaftLogStore.open(dir)).isInstanceOf(IllegalStateException.class);
      assertThat(store.lastIndex()).isZero();
    }
    RaftLogStore.open(dir).close();
  }
}
