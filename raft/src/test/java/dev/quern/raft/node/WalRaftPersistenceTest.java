package dev.quern.raft.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.ConfChange;
import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.PersistentState;
import dev.quern.raft.RaftConfig;
import dev.quern.raft.RaftCore;
import dev.quern.raft.Snapshot;
import dev.quern.raft.storage.CorruptLogException;
import dev.quern.raft.storage.RaftLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL-backed store against the persistence contract; reopening closes it and opens the directory again. */
class WalRaftPersistenceTest extends RaftPersistenceContract {

  @TempDir
  Path dir;

  private final List<WalRaftPersistence> open = new ArrayList<>();

  /** Small segments, so the contract also crosses segment rolls and compaction. */
  private static final RaftLogStore.Options OPTIONS = new RaftLogStore.Options(256);

  @AfterEach
  void closeAll() {
    for (WalRaftPersistence s : open) {
      try {
        s.close();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }

  @Override
  protected RaftPersistence create() {
    WalRaftPersistence s = WalRaftPersistence.open(dir, OPTIONS);
    open.add(s);
    return s;
  }

  @Override
  protected RaftPersistence reopen(RaftPersistence store) {
    ((WalRaftPersistence) store).close();
    open.remove(store);
    return create();
  }

  private static List<Entry> entries(long first, long term, int n) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EntryType type = EntryType.values()[(int) ((first + i) % EntryType.values().length)];
      out.add(new Entry(term, first + i, type, ("e" + (first + i)).getBytes()));
    }
    return out;
  }

  @Test
  void entryTypesVotesAndMembershipSurviveReopen() {
    RaftPersistence store = create();
    store.append(entries(1, 2, 20));
    store.saveHardState(new HardState(5, 3, 0));
    store.sync();
    Snapshot snap = new Snapshot(12, 2, new Membership(List.of(1L, 2L, 3L), List.of(9L)), "image".getBytes());
    store.saveSnapshot(snap);
    store.saveHardState(new HardState(5, 0, 12)); // no vote: must come back as NONE
    store.sync();
    PersistentState s = reopen(store).load();
    assertThat(s.hardState()).isEqualTo(new HardState(5, 0, 12));
    assertThat(s.snapshot()).isEqualTo(snap);
    assertThat(s.snapshot().membership().learners()).containsExactly(9L);
    assertThat(s.entries().stream().filter(e -> e.index() > 12)).containsExactlyElementsOf(entries(13, 2, 8));
  }

  /**
   * Members' addresses survive the WAL: in the conf-change entries (and an entry of the layout from
   * before addresses still reads) and in a snapshot file; a core started from what was loaded has the
   * configuration, addresses included.
   */
  @Test
  void membershipAddressesSurviveTheWalAndSnapshots() {
    String a1 = "pekko://sys@127.0.0.1:25520/user/raft";
    String a4 = "pekko://sys@127.0.0.1:25524/user/raft";
    byte[] legacyAddVoter2 = java.nio.ByteBuffer.allocate(9).put((byte) 0).putLong(2).array();
    List<Entry> log = List.of(
        new Entry(1, 1, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_VOTER, 1, a1).encode()),
        new Entry(1, 2, EntryType.CONF_CHANGE, legacyAddVoter2),
        new Entry(2, 3, EntryType.NO_OP, new byte[0]),
        new Entry(2, 4, EntryType.CONF_CHANGE, new ConfChange(ConfChange.Type.ADD_LEARNER, 4, a4).encode()),
        new Entry(2, 5, EntryType.NORMAL, "x".getBytes()));
    RaftPersistence store = create();
    store.append(log);
    store.saveHardState(new HardState(2, 1, 5));
    store.sync();
    Membership expected = new Membership(List.of(1L, 2L), List.of(4L), Map.of(1L, a1, 4L, a4));

    RaftPersistence reopened = reopen(store);
    PersistentState loaded = reopened.load();
    assertThat(loaded.entries()).containsExactlyElementsOf(log);
    RaftCore fromLog = new RaftCore(RaftConfig.defaults(2), loaded, new SplittableRandom(1));
    assertThat(fromLog.membership()).isEqualTo(expected);

    // Snapshot at 4 (membership as of 4), then reopen: the snapshot file carries the addresses.
    Snapshot snap = new Snapshot(4, 2, expected, "image".getBytes());
    reopened.saveSnapshot(snap);
    reopened.sync();
    PersistentState afterSnap = reopen(reopened).load();
    assertThat(afterSnap.snapshot()).isEqualTo(snap);
    assertThat(afterSnap.snapshot().membership().address(4)).contains(a4);
    RaftCore fromSnapshot = new RaftCore(RaftConfig.defaults(2), afterSnap, new SplittableRandom(1));
    assertThat(fromSnapshot.membership()).isEqualTo(expected);
  }

  @Test
  void unsyncedCommitIsWrittenOnClose() {
    RaftPersistence store = create();
    store.append(entries(1, 1, 3));
    store.saveHardState(new HardState(1, 1, 0));
    store.sync();
    store.saveHardState(new HardState(1, 1, 3)); // a new commit index alone: no sync asked
    PersistentState s = reopen(store).load();
    assertThat(s.hardState()).isEqualTo(new HardState(1, 1, 3));
    assertThat(s.entries()).containsExactlyElementsOf(entries(1, 1, 3));
  }

  @Test
  void reopeningSupplierReleasesThePreviousStore() {
    Supplier<RaftPersistence> storage = WalRaftPersistence.reopening(dir, OPTIONS);
    RaftPersistence first = storage.get();
    first.append(entries(1, 1, 4));
    first.sync();
    // Without the supplier closing it, the directory lock would refuse the second open.
    RaftPersistence second = storage.get();
    open.add((WalRaftPersistence) second);
    assertThat(second.load().entries()).containsExactlyElementsOf(entries(1, 1, 4));
  }

  @Test
  void damagedLogIsFatalAndNamesTheFileAndOffset() throws IOException {
    RaftPersistence store = create();
    store.append(entries(1, 1, 6));
    store.saveHardState(new HardState(1, 2, 0));
    store.sync();
    ((WalRaftPersistence) store).close();
    open.remove(store);
    Path segment = Files.list(dir).filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(segment);
    int at = bytes.length / 2; // inside a synced record with more records after it
    bytes[at] ^= 0x10;
    Files.write(segment, bytes);
    assertThatThrownBy(this::create).isInstanceOf(FatalStorageException.class)
        .hasMessageContaining(segment.toString()).hasMessageMatching("(?s).* at offset \\d+: .*")
        .hasRootCauseInstanceOf(CorruptLogException.class);
  }

  @Test
  void failedFsyncIsFatalAndTheStoreStaysUnusable() {
    AtomicBoolean failing = new AtomicBoolean();
    RaftLogStore.Options options = new RaftLogStore.Options(1 << 20, (channel, file, metadata) -> {
      if (failing.get()) {
        throw new IOException("injected EIO");
      }
      channel.force(metadata);
    });
    WalRaftPersistence store = WalRaftPersistence.open(dir, options);
    open.add(store);
    store.append(entries(1, 1, 2));
    store.sync();
    failing.set(true);
    store.append(entries(3, 1, 1));
    assertThatThrownBy(store::sync).isInstanceOf(FatalStorageException.class).hasMessageContaining("injected EIO");
    failing.set(false);
    // The fsync works again, but the store cannot know what the failed one lost: it refuses.
    store.append(entries(4, 1, 1));
    assertThatThrownBy(store::sync).isInstanceOf(FatalStorageException.class).hasMessageContaining("injected EIO");
  }

  @Test
  void openFailureNamesTheDirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> WalRaftPersistence.open(file, OPTIONS)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("not-a-dir");
  }
}
