package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.raft.node.RaftPersistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@link WalSimDisk} crash keeps of synced and unsynced writes, in each mode. */
class WalSimDiskTest {

  @TempDir
  Path tmp;

  private static Entry entry(long index) {
    return new Entry(1, index, EntryType.NORMAL, ("payload-" + index).getBytes());
  }

  /**
   * Entries 1-2 and a vote synced; entries 3-7 written to the file but never forced (load() flushes
   * staged writes without a sync); then a crash. Returns the indexes the restarted store holds.
   */
  private static List<Long> crashAfterUnsyncedWrites(WalSimDisk disk) {
    RaftPersistence store = disk.open(1, 0);
    store.append(List.of(entry(1), entry(2)));
    store.saveHardState(new HardState(1, 1, 0));
    store.sync();
    for (long i = 3; i <= 7; i++) {
      store.append(List.of(entry(i)));
      store.load();
    }
    PersistentState after = disk.open(1, 1).load();
    assertThat(after.hardState()).isEqualTo(new HardState(1, 1, 0));
    return after.entries().stream().map(Entry::index).toList();
  }

  @Test
  void dropLosesEverythingNotForced() throws Exception {
    try (WalSimDisk disk = new WalSimDisk(tmp.resolve("drop"), WalSimDisk.Crash.DROP_UNSYNCED, 1)) {
      assertThat(crashAfterUnsyncedWrites(disk)).containsExactly(1L, 2L);
      assertThat(disk.crashes).isEqualTo(1);
      assertThat(disk.bytesCut).isPositive();
    }
    assertThat(tmp.resolve("drop")).doesNotExist();
  }

  @Test
  void keepWrittenIsAnInJvmCrash() throws Exception {
    try (WalSimDisk disk = new WalSimDisk(tmp.resolve("keep"), WalSimDisk.Crash.KEEP_WRITTEN, 1)) {
      assertThat(crashAfterUnsyncedWrites(disk)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(disk.bytesCut).isZero();
    }
  }

  /** A torn tail keeps a random prefix of the unsynced records, never less than what was synced. */
  @Test
  void tearKeepsARandomPrefixOfTheUnsyncedTail() throws Exception {
    Set<Integer> recovered = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      try (WalSimDisk disk = new WalSimDisk(tmp.resolve("tear-" + seed), WalSimDisk.Crash.TEAR_UNSYNCED, seed)) {
        List<Long> indexes = crashAfterUnsyncedWrites(disk);
        assertThat(indexes.size()).isBetween(2, 7);
        for (int i = 0; i < indexes.size(); i++) {
          assertThat(indexes.get(i)).isEqualTo(i + 1L);
        }
        recovered.add(indexes.size());
      }
    }
    assertThat(recovered).as("entries recovered over 20 seeds").hasSizeGreaterThan(2);
  }

  /** A file whose creation no directory force made durable is gone after the crash. */
  @Test
  void dropDeletesFilesWhoseNameWasNeverDurable() throws Exception {
    Path dir = tmp.resolve("names");
    try (WalSimDisk disk = new WalSimDisk(dir, WalSimDisk.Crash.DROP_UNSYNCED, 1)) {
      disk.open(1, 0).sync();
      Path stray = dir.resolve("node-1").resolve("stray.bin");
      Files.write(stray, new byte[] {1, 2, 3});
      disk.open(1, 1);
      assertThat(stray).doesNotExist();
      assertThat(disk.filesDropped).isEqualTo(1);
    }
  }
}
