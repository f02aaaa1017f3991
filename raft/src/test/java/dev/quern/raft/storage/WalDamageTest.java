package dev.quern.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage that no crash can cause, in data that was synced: the store must refuse to open and name
 * the file and the offset of the damaged record, never cut the log there (which would forget synced
 * votes and acknowledged entries). And records that are valid somewhere else (another log, an
 * earlier life of the same file, another place in the same file) are never taken for ours.
 *
 * <p>Record boundaries are found with the framing's first field only (each record is 12 bytes
 * plus the length it starts with), after the {@link Segment#HEADER_BYTES}-byte segment header.
 */
class WalDamageTest {

  private static final int SEEDS = 40;

  @TempDir
  Path tmp;

  private static Entry entry(long index, long term, byte[] data) {
    return new Entry(term, index, EntryType.NORMAL, data);
  }

  private static List<Entry> entries(Random rnd, long from, long to, long term) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      byte[] data = new byte[rnd.nextInt(60)];
      rnd.nextBytes(data);
      out.add(new Entry(term, i, EntryType.values()[rnd.nextInt(3)], data));
    }
    return out;
  }

  /** Start offsets of the records in a segment file, and its length at the end. */
  private static long[] recordStarts(byte[] segment) {
    List<Long> starts = new ArrayList<>();
    int at = Segment.HEADER_BYTES;
    while (at < segment.length) {
      starts.add((long) at);
      at += WalRecords.PREFIX_BYTES + ByteBuffer.wrap(segment, at, 4).getInt();
    }
    assertThat(at).as("records fill the segment exactly").isEqualTo(segment.length);
    starts.add((long) at);
    return starts.stream().mapToLong(Long::longValue).toArray();
  }

  private static Path onlySegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> segs = s.filter(p -> Segment.parseSeq(p.getFileName().toString()) >= 0).sorted().toList();
      assertThat(segs).hasSize(1);
      return segs.get(0);
    }
  }

  /** A synced history in one segment: batches of entries with a hard state after each. */
  private static Path writeHistory(Path dir, Random rnd) throws IOException {
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      long next = 1;
      for (int batch = 0; batch < 4 + rnd.nextInt(4); batch++) {
        long term = batch + 1;
        long to = next + rnd.nextInt(4);
        store.persist(entries(rnd, next, to, term), new HardState(term, 1 + rnd.nextInt(3), next - 1));
        next = to + 1;
      }
    }
    return onlySegment(dir);
  }

  private static void assertRefused(Path dir, Path segment, long offset) {
    assertThatThrownBy(() -> RaftLogStore.open(dir)).isInstanceOfSatisfying(CorruptLogException.class, e -> {
      assertThat(e.file()).isEqualTo(segment);
      assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
      assertThat(e.getMessage()).contains(segment.getFileName().toString()).contains("at offset " + offset);
    });
  }

  @Test
  void aFlippedByteInASyncedRecordFollowedByOthersIsRefused() throws IOException {
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random rnd = new Random(seed);
      Path dir = tmp.resolve("flip-" + seed);
      Path seg = writeHistory(dir, rnd);
      byte[] clean = Files.readAllBytes(seg);
      long[] starts = recordStarts(clean);
      int r = rnd.nextInt(starts.length - 2); // any record but the last
      int at = (int) (starts[r] + rnd.nextInt((int) (starts[r + 1] - starts[r])));
      byte[] bytes = clean.clone();
      bytes[at] ^= (byte) (1 + rnd.nextInt(255));
      Files.write(seg, bytes);
      String what = "seed " + seed + ", flip at " + at + " in record at " + starts[r];
      assertThatThrownBy(() -> RaftLogStore.open(dir)).as(what).isInstanceOf(CorruptLogException.class);
      assertRefused(dir, seg, starts[r]);
      assertThat(Files.readAllBytes(seg)).as("%s: the file is left as it was", what).isEqualTo(bytes);
    }
  }

  @Test
  void bytesCutOrZeroedInTheSyncedMiddleAreRefused() throws IOException {
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random rnd = new Random(seed);
      Path dir = tmp.resolve("cut-" + seed);
      Path seg = writeHistory(dir, rnd);
      byte[] clean = Files.readAllBytes(seg);
      long[] starts = recordStarts(clean);
      int last = (int) starts[starts.length - 2]; // the last record stays whole, wherever it ends up
      int from = Segment.HEADER_BYTES + rnd.nextInt(last - Segment.HEADER_BYTES);
      int to = from + 1 + rnd.nextInt(last - from);
      long damaged = Arrays.stream(starts).filter(s -> s <= from).max().orElseThrow();
      boolean zero = seed % 2 == 0;
      byte[] bytes;
      if (zero) { // a hole: a lost write or a sector the drive gave back empty
        bytes = clean.clone();
        Arrays.fill(bytes, from, to, (byte) 0);
      } else { // bytes gone, the rest moved up
        bytes = new byte[clean.length - (to - from)];
        System.arraycopy(clean, 0, bytes, 0, from);
        System.arraycopy(clean, to, bytes, from, clean.length - to);
      }
      if (Arrays.equals(bytes, clean)) {
        continue; // zeroed bytes that were zero already
      }
      Files.write(seg, bytes);
      assertRefused(dir, seg, zero ? firstDifference(clean, bytes, starts) : damaged);
    }
  }

  /** The start of the first record whose bytes differ. */
  private static long firstDifference(byte[] a, byte[] b, long[] starts) {
    int i = Arrays.mismatch(a, b);
    return Arrays.stream(starts).filter(s -> s <= i).max().orElseThrow();
  }

  @Test
  void wholeRecordsRemovedOrRepeatedAreCaughtByTheChain() throws IOException {
    Path dir = tmp.resolve("chain");
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(List.of(entry(1, 1, new byte[] {1}), entry(2, 1, new byte[] {2})), new HardState(1, 0, 0));
      store.saveHardState(new HardState(2, 3, 0)); // voted for 3 in term 2
      store.sync();
      store.persist(List.of(entry(3, 2, new byte[] {3})), null);
    }
    Path seg = onlySegment(dir);
    byte[] clean = Files.readAllBytes(seg);
    long[] starts = recordStarts(clean);
    // Records: hard state copy, entry 1, entry 2, hard state (1), hard state (2, vote 3), entry 3.
    assertThat(starts).hasSize(7);
    int vote = (int) starts[4];
    int voteEnd = (int) starts[5];

    // Without the vote's record every record is still intact, and the log still consistent: only
    // the chain knows that the vote in term 2 is gone.
    byte[] removed = new byte[clean.length - (voteEnd - vote)];
    System.arraycopy(clean, 0, removed, 0, vote);
    System.arraycopy(clean, voteEnd, removed, vote, clean.length - voteEnd);
    Files.write(seg, removed);
    assertRefused(dir, seg, vote);
    assertThatThrownBy(() -> RaftLogStore.open(dir)).hasMessageContaining("chain");

    // The older hard state repeated where the vote was: intact, and out of place.
    byte[] repeated = clean.clone();
    System.arraycopy(clean, (int) starts[3], repeated, vote, voteEnd - vote);
    Files.write(seg, repeated);
    assertRefused(dir, seg, vote);

    Files.write(seg, clean);
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.hardState()).isEqualTo(new HardState(2, 3, 0));
      assertThat(store.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void aRecordFromAnotherLogIsNotAcceptedAtTheSameOffset() throws IOException {
    byte[] data = new byte[40];
    new Random(7).nextBytes(data);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    // Same entries, same offsets; b has one more.
    for (Path dir : List.of(a, b)) {
      try (RaftLogStore store = RaftLogStore.open(dir)) {
        for (long i = 1; i <= 5; i++) {
          store.persist(List.of(entry(i, 1, data)), null);
        }
        if (dir == b) {
          store.persist(List.of(entry(6, 1, data)), null);
        }
      }
    }
    Path segA = onlySegment(a);
    byte[] bytesA = Files.readAllBytes(segA);
    byte[] bytesB = Files.readAllBytes(onlySegment(b));
    assertThat(bytesB.length).isGreaterThan(bytesA.length);
    // At the tail: b's sixth record lands where a's would be, intact in itself, and is not a's.
    byte[] grafted = Arrays.copyOf(bytesA, bytesB.length);
    System.arraycopy(bytesB, bytesA.length, grafted, bytesA.length, bytesB.length - bytesA.length);
    Files.write(segA, grafted);
    try (RaftLogStore store = RaftLogStore.open(a)) {
      assertThat(store.lastIndex()).isEqualTo(5);
      assertThat(store.recovered().droppedTailBytes()).isEqualTo(bytesB.length - bytesA.length);
    }
    // In the middle: b's third record in place of a's is damage, with a's own records after it.
    long[] starts = recordStarts(bytesA);
    byte[] middle = bytesA.clone();
    int third = (int) starts[3];
    System.arraycopy(bytesB, third, middle, third, (int) (starts[4] - starts[3]));
    assertThat(middle).isNotEqualTo(bytesA);
    Files.write(segA, middle);
    assertRefused(a, segA, third);
  }

  @Test
  void recordsFromAnEarlierLifeOfTheFileAreNotAccepted() throws IOException {
    byte[] data = new byte[30];
    new Random(11).nextBytes(data);
    Path dir = tmp.resolve("reused");
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      for (long i = 1; i <= 10; i++) {
        store.persist(List.of(entry(i, 1, data)), new HardState(1, 1, i - 1));
      }
    }
    Path seg = onlySegment(dir);
    byte[] earlier = Files.readAllBytes(seg);
    // The directory is wiped and the node starts again, writing the same first five records: the
    // same bytes at the same offsets but for the salt (and so both checksums).
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.delete(p);
      }
    }
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      for (long i = 1; i <= 5; i++) {
        store.persist(List.of(entry(i, 1, data)), new HardState(1, 1, i - 1));
      }
    }
    byte[] now = Files.readAllBytes(seg);
    assertThat(Arrays.mismatch(now, earlier)).as("the lives differ from the header's salt on").isLessThan(Segment.HEADER_BYTES);
    // As if the file had been reused (or preallocated) with the earlier life's bytes still there.
    byte[] reused = earlier.clone();
    System.arraycopy(now, 0, reused, 0, now.length);
    Files.write(seg, reused);
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(5);
      assertThat(store.hardState()).isEqualTo(new HardState(1, 1, 4));
      assertThat(store.recovered().droppedTailBytes()).isEqualTo(earlier.length - now.length);
    }
  }

  @Test
  void aTornUnsyncedTailIsStillCut() throws IOException {
    Path dir = tmp.resolve("torn");
    Random rnd = new Random(3);
    List<Entry> synced = entries(rnd, 1, 6, 1);
    long syncedSize;
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(synced, new HardState(1, 2, 3));
      syncedSize = Files.size(onlySegment(dir));
      store.append(entries(rnd, 7, 9, 1)); // written after the last sync (close syncs them, which changes nothing here)
    }
    Path seg = onlySegment(dir);
    byte[] bytes = Files.readAllBytes(seg);
    long[] starts = recordStarts(bytes);
    // The last unsynced record is half written and its first half garbled.
    long lastStart = starts[starts.length - 2];
    byte[] torn = Arrays.copyOf(bytes, (int) (lastStart + (bytes.length - lastStart) / 2));
    torn[(int) lastStart + 5] ^= 0x5A;
    Files.write(seg, torn);
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      assertThat(store.lastIndex()).isEqualTo(8);
      assertThat(store.entries(1, 7)).containsExactlyElementsOf(synced);
      assertThat(store.hardState()).isEqualTo(new HardState(1, 2, 3));
      assertThat(store.recovered().droppedTailBytes()).isEqualTo(torn.length - lastStart);
    }
    assertThat(Files.size(seg)).isEqualTo(lastStart).isGreaterThan(syncedSize);
  }

  @Test
  void aDamagedHeaderIsRefusedAndATornOneOfANewSegmentIsDropped() throws IOException {
    Path dir = tmp.resolve("header");
    RaftLogStore.Options small = new RaftLogStore.Options(200);
    try (RaftLogStore store = RaftLogStore.open(dir, small)) {
      for (long i = 1; i <= 12; i++) {
        store.persist(List.of(entry(i, 1, new byte[20])), null);
      }
    }
    List<Path> segs = segments(dir);
    Path last = segs.get(segs.size() - 1);
    byte[] clean = Files.readAllBytes(last);
    byte[] bytes = clean.clone();
    bytes[Segment.PREV_CHAIN_OFFSET] ^= 1;
    Files.write(last, bytes);
    assertRefused(dir, last, Segment.CRC_OFFSET);
    Files.write(last, clean);

    // A roll that crashed before anything reached the new file: it holds a partial header, or zeros.
    long nextSeq = Segment.parseSeq(last.getFileName().toString()) + 1;
    Path next = dir.resolve(String.format("wal-%016d.log", nextSeq));
    for (byte[] torn : List.of(Arrays.copyOf(clean, 10), new byte[100])) {
      Files.write(next, torn);
      try (RaftLogStore store = RaftLogStore.open(dir, small)) {
        assertThat(store.lastIndex()).isEqualTo(12);
        assertThat(Files.exists(next)).isFalse();
        store.persist(List.of(entry(13, 2, new byte[20])), null);
      }
      try (RaftLogStore store = RaftLogStore.open(dir, small)) {
        assertThat(store.lastIndex()).isEqualTo(13);
        assertThat(store.term(13)).isEqualTo(2);
      }
      // Back to twelve entries for the next case.
      Files.delete(segments(dir).get(segments(dir).size() - 1));
      Files.write(last, clean);
    }
  }

  @Test
  void aSegmentFromAnotherLogIsRefusedEvenIfItsRecordsAreIntact() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    RaftLogStore.Options small = new RaftLogStore.Options(150);
    for (Path dir : List.of(a, b)) {
      try (RaftLogStore store = RaftLogStore.open(dir, small)) {
        for (long i = 1; i <= 12; i++) {
          store.persist(List.of(entry(i, 1, new byte[20])), null);
        }
      }
    }
    List<Path> segsA = segments(a);
    assertThat(segsA).hasSizeGreaterThan(3);
    Path second = segsA.get(1);
    Files.copy(b.resolve(second.getFileName()), second, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertRefused(a, second, Segment.PREV_CHAIN_OFFSET);
  }

  @Test
  void unknownVersionsAreRefusedWithFileAndOffset() throws IOException {
    Path dir = tmp.resolve("versions");
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(List.of(entry(1, 1, new byte[] {1}), entry(2, 1, new byte[] {2})), null);
      store.saveSnapshot(new Snapshot(1, 1, new Membership(List.of(1L), List.of()), new byte[] {9}));
    }
    Path seg = onlySegment(dir);
    byte[] clean = Files.readAllBytes(seg);

    // A record from a newer writer at the tail: intact (both checksums valid), so never a torn write.
    long[] starts = recordStarts(clean);
    int lastStart = (int) starts[starts.length - 2];
    int salt = ByteBuffer.wrap(clean, 13, 4).getInt();
    int chain = ByteBuffer.wrap(clean, lastStart + 8, 4).getInt();
    ByteBuffer record = ByteBuffer.allocate(WalRecords.entrySize(entry(3, 1, new byte[] {3})));
    WalRecords.putEntry(record, entry(3, 1, new byte[] {3}), salt, chain);
    record.put(WalRecords.PREFIX_BYTES, (byte) 3); // version 3
    resign(record.array(), salt, chain);
    byte[] newer = Arrays.copyOf(clean, clean.length + record.capacity());
    System.arraycopy(record.array(), 0, newer, clean.length, record.capacity());
    Files.write(seg, newer);
    assertRefused(dir, seg, clean.length);
    assertThatThrownBy(() -> RaftLogStore.open(dir)).hasMessageContaining("unsupported record format version 3");

    // A segment header of a newer format.
    byte[] header = clean.clone();
    header[Segment.VERSION_OFFSET] = 3;
    Files.write(seg, header);
    assertRefused(dir, seg, Segment.VERSION_OFFSET);
    assertThatThrownBy(() -> RaftLogStore.open(dir)).hasMessageContaining("unsupported segment format version 3");
    Files.write(seg, clean);

    // A snapshot file of a newer format.
    Path snap = dir.resolve(SnapshotFiles.fileName(1, 1));
    byte[] snapBytes = Files.readAllBytes(snap);
    snapBytes[SnapshotFiles.VERSION_OFFSET] = SnapshotFiles.VERSION + 1;
    Files.write(snap, snapBytes);
    assertThatThrownBy(() -> RaftLogStore.open(dir)).isInstanceOfSatisfying(CorruptLogException.class, e -> {
      assertThat(e.file()).isEqualTo(snap);
      assertThat(e.offset()).isEqualTo(SnapshotFiles.VERSION_OFFSET);
      assertThat(e.getMessage()).contains("unsupported snapshot format version " + (SnapshotFiles.VERSION + 1));
    });
  }

  /** Recomputes both checksums of the single record in {@code record} after an edit. */
  private static void resign(byte[] record, int salt, int prevChain) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(ByteBuffer.allocate(4).putInt(salt).array());
    c.update(record, 0, 4);
    c.update(record, WalRecords.PREFIX_BYTES, record.length - WalRecords.PREFIX_BYTES);
    int chain = WalRecords.chain(prevChain, (int) c.getValue());
    c.update(ByteBuffer.allocate(4).putInt(chain).array());
    ByteBuffer.wrap(record).putInt(4, (int) c.getValue()).putInt(8, chain);
  }

  @Test
  void recordTypesAndEntryTypesAreExplicitCodesOnDisk() throws IOException {
    Path dir = tmp.resolve("codes");
    try (RaftLogStore store = RaftLogStore.open(dir)) {
      store.persist(List.of(new Entry(1, 1, EntryType.NORMAL, new byte[0]), new Entry(1, 2, EntryType.CONF_CHANGE, new byte[0]),
          new Entry(1, 3, EntryType.NO_OP, new byte[0])), null);
    }
    byte[] bytes = Files.readAllBytes(onlySegment(dir));
    long[] starts = recordStarts(bytes);
    // The hard state copy, then the three entries: version, type, index, term, entry type.
    assertThat(bytes[(int) starts[0] + 12]).isEqualTo((byte) 2);
    assertThat(bytes[(int) starts[0] + 13]).isEqualTo((byte) 2);
    for (int i = 1; i <= 3; i++) {
      assertThat(bytes[(int) starts[i] + 12]).as("version").isEqualTo((byte) 2);
      assertThat(bytes[(int) starts[i] + 13]).as("record type ENTRY").isEqualTo((byte) 1);
      assertThat(bytes[(int) starts[i] + 14 + 16]).as("entry type of entry %d", i).isEqualTo((byte) i);
    }
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Segment.parseSeq(p.getFileName().toString()) >= 0).sorted().toList();
    }
  }
}
