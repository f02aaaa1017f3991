package dev.quern.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import dev.quern.raft.HardState;
import dev.quern.raft.Membership;
import dev.quern.raft.Snapshot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash simulation: seeded random histories of appends (with conflicts), hard states, syncs and
 * snapshots; then the last segment is cut at many offsets, sometimes with flipped bytes in the
 * unsynced tail, and reopened. The oracle knows where every record lies (from the write calls and
 * the record sizes) and nothing else of the format. Damage with no whole, unflipped record after it
 * is a torn write: the store must recover exactly the state after the last record before the
 * damaged one, which is never earlier than the last sync. Damage followed by a whole record cannot
 * be told from damage to synced data, so the store must refuse to open, naming the segment and the
 * damaged record's offset. A recovered store must accept new appends that survive another reopen.
 */
class CrashRecoveryTest {

  private static final int SEEDS = 20;
  private static final int MAX_CUTS_PER_SEED = 80;

  // Recovery logs a warning per torn tail; thousands of them would bury the test output.
  private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger(WalReplay.class.getName());

  static {
    QUIET.setLevel(java.util.logging.Level.SEVERE);
  }

  @TempDir
  Path tmp;

  private final java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();

  /** A snapshot's position. */
  record Point(long index, long term) {}

  /** What the store should hold: a reference model that knows nothing of the file format. */
  record State(HardState hardState, Point snapshot, List<Entry> entries) {

    long lastIndex() {
      return entries.isEmpty() ? (snapshot == null ? 0 : snapshot.index()) : entries.get(entries.size() - 1).index();
    }

    long firstIndex() {
      return snapshot == null ? 1 : snapshot.index() + 1;
    }

    long term(long index) {
      if (snapshot != null && index == snapshot.index()) {
        return snapshot.term();
      }
      return index == 0 ? 0 : entries.get((int) (index - firstIndex())).term();
    }

    State append(Entry e) {
      List<Entry> next = new ArrayList<>(entries.subList(0, (int) (e.index() - firstIndex())));
      next.add(e);
      return new State(hardState, snapshot, List.copyOf(next));
    }

    State withHardState(HardState hs) {
      return new State(hs, snapshot, entries);
    }

    State withSnapshot(Point p) {
      if (p.index() <= lastIndex() && p.index() >= firstIndex() && term(p.index()) == p.term()) {
        return new State(hardState, p, List.copyOf(entries.subList((int) (p.index() - firstIndex() + 1), entries.size())));
      }
      return new State(hardState, p, List.of());
    }
  }

  /**
   * One record (or the segment header) at {@code [start, end)} of a segment and the state once it
   * is on disk. A zero-length one marks a snapshot barrier: everything before it is durable.
   */
  record Rec(String segment, long start, long end, State after, boolean header) {}

  /** The recorded history: every record written, syncs and the offset after the last snapshot. */
  static final class History {
    final List<Rec> recs = new ArrayList<>();
    /** The state before the first record of each segment. */
    final java.util.Map<String, State> segmentStart = new java.util.HashMap<>();
    final List<long[]> syncs = new ArrayList<>(); // {segment sequence, file size} at each sync
    String barrierSegment;
    long barrierOffset;
    State state = new State(HardState.EMPTY, null, List.of());
  }

  /** What opening a damaged copy must do: recover exactly {@code state}, or refuse at {@code offset}. */
  record Outcome(State state, long refusedAt) {
    static Outcome recovered(State s) {
      return new Outcome(s, -1);
    }

    static Outcome refused(long offset) {
      return new Outcome(null, offset);
    }
  }

  @Test
  void recoversExactlyAWrittenPrefixAfterCutsAndFlips() throws IOException {
    int totalCuts = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
      try {
        totalCuts += runSeed(seed);
      } catch (AssertionError | IOException | RuntimeException e) {
        throw new AssertionError("crash recovery failed for seed " + seed + ": " + e.getMessage(), e);
      }
    }
    assertThat(totalCuts).isGreaterThanOrEqualTo(200);
    // Both rules were exercised, many times: torn tails cut (a few of them torn segment headers)
    // and damage followed by a whole record refused.
    assertThat(outcomes).containsOnlyKeys("recovered", "recovered after a torn header", "refused");
    assertThat(outcomes.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(3));
  }

  private int runSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    Path dir = Files.createDirectory(tmp.resolve("seed-" + seed));
    RaftLogStore.Options options = new RaftLogStore.Options(new long[] {200, 512, 2048}[rnd.nextInt(3)]);
    History h = new History();
    long[] currentTerm = {1};
    try (RaftLogStore store = RaftLogStore.open(dir, options)) {
      // Opening an empty directory wrote the first segment's header and a copy of the empty hard state.
      String first = lastSegment(dir);
      recordSegmentStart(h, first, h.state);
      assertThat(Files.size(dir.resolve(first))).isEqualTo(Segment.HEADER_BYTES + WalRecords.hardStateSize());
      int steps = 20 + rnd.nextInt(60);
      for (int step = 0; step < steps; step++) {
        runStep(rnd, store, dir, h, currentTerm);
        assertThat(stateOf(store)).as("live state after step %d", step).isEqualTo(h.state);
      }
      // Crash now: the directory is copied while the store is still open, without close().
      String lastSegment = lastSegment(dir);
      long size = Files.size(dir.resolve(lastSegment));
      long low = lastSegment.equals(h.barrierSegment) ? h.barrierOffset : 0;
      TreeSet<Long> cuts = new TreeSet<>();
      if (size - low + 1 <= MAX_CUTS_PER_SEED) {
        for (long x = low; x <= size; x++) {
          cuts.add(x);
        }
      } else {
        cuts.add(low);
        cuts.add(size);
        while (cuts.size() < MAX_CUTS_PER_SEED) {
          cuts.add(low + (long) (rnd.nextDouble() * (size - low + 1)));
        }
      }
      int n = 0;
      for (long cut : cuts) {
        boolean flip = rnd.nextInt(4) == 0;
        boolean appendAfter = n++ % 8 == 0;
        checkCrash(rnd, dir, options, h, lastSegment, cut, flip, appendAfter, n);
      }
      return cuts.size();
    }
  }

  /** A new segment starts with its header and a copy of the hard state, both leaving the state as it was. */
  private static void recordSegmentStart(History h, String segment, State before) {
    h.segmentStart.put(segment, before);
    h.recs.add(new Rec(segment, 0, Segment.HEADER_BYTES, before, true));
    h.recs.add(new Rec(segment, Segment.HEADER_BYTES, Segment.HEADER_BYTES + WalRecords.hardStateSize(), before, false));
  }

  private void runStep(Random rnd, RaftLogStore store, Path dir, History h, long[] currentTerm) throws IOException {
    String segBefore = lastSegment(dir);
    long sizeBefore = Files.size(dir.resolve(segBefore));
    State before = h.state;
    List<Long> sizes = new ArrayList<>();
    List<State> afters = new ArrayList<>();
    int op = rnd.nextInt(100);
    if (op < 45 || op >= 95) {
      List<Entry> batch = randomBatch(rnd, before, currentTerm);
      State s = before;
      for (Entry e : batch) {
        s = s.append(e);
        sizes.add((long) WalRecords.entrySize(e));
        afters.add(s);
      }
      if (op < 45) {
        store.append(batch);
      } else {
        HardState hs = randomHardState(rnd, currentTerm[0]);
        s = s.withHardState(hs);
        sizes.add((long) WalRecords.hardStateSize());
        afters.add(s);
        store.persist(batch, hs);
        recordSync(h, dir);
      }
      h.state = s;
    } else if (op < 60) {
      HardState hs = randomHardState(rnd, currentTerm[0]);
      store.saveHardState(hs);
      h.state = before.withHardState(hs);
      sizes.add((long) WalRecords.hardStateSize());
      afters.add(h.state);
    } else if (op < 85) {
      store.sync();
      recordSync(h, dir);
      return;
    } else {
      Point p = randomSnapshot(rnd, before, currentTerm);
      store.saveSnapshot(new Snapshot(p.index(), p.term(), new Membership(List.of(1L, 2L), List.of()), ("snapshot@" + p).getBytes()));
      h.state = before.withSnapshot(p);
      h.barrierSegment = lastSegment(dir);
      h.barrierOffset = Files.size(dir.resolve(h.barrierSegment));
      // From here on the snapshot is part of every acceptable state.
      h.recs.add(new Rec(h.barrierSegment, h.barrierOffset, h.barrierOffset, h.state, false));
      return;
    }
    String segAfter = lastSegment(dir);
    long end = Files.size(dir.resolve(segAfter));
    long total = sizes.stream().mapToLong(Long::longValue).sum();
    if (!segAfter.equals(segBefore)) {
      recordSegmentStart(h, segAfter, before);
      assertThat(end).as("rolled segment: header, hard state copy, then the call's records")
          .isEqualTo(Segment.HEADER_BYTES + WalRecords.hardStateSize() + total);
    } else {
      assertThat(end).as("records of the call").isEqualTo(sizeBefore + total);
    }
    long at = end - total;
    for (int i = 0; i < sizes.size(); i++) {
      h.recs.add(new Rec(segAfter, at, at + sizes.get(i), afters.get(i), false));
      at += sizes.get(i);
    }
  }

  private static void recordSync(History h, Path dir) throws IOException {
    String seg = lastSegment(dir);
    h.syncs.add(new long[] {Segment.parseSeq(seg), Files.size(dir.resolve(seg))});
  }

  private static List<Entry> randomBatch(Random rnd, State s, long[] currentTerm) {
    long first;
    long term;
    if (s.lastIndex() >= s.firstIndex() && rnd.nextInt(5) == 0) {
      // A new leader overwrites a suffix: Raft's conflict truncation.
      first = s.firstIndex() + rnd.nextInt((int) (s.lastIndex() - s.firstIndex() + 1));
      term = ++currentTerm[0];
    } else {
      first = s.lastIndex() + 1;
      term = currentTerm[0];
    }
    int n = 1 + rnd.nextInt(3);
    List<Entry> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[rnd.nextInt(48)];
      rnd.nextBytes(data);
      batch.add(new Entry(term, first + i, EntryType.values()[rnd.nextInt(EntryType.values().length)], data));
    }
    return batch;
  }

  private static HardState randomHardState(Random rnd, long term) {
    return new HardState(term, rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(5), rnd.nextInt(100));
  }

  private static Point randomSnapshot(Random rnd, State s, long[] currentTerm) {
    if (s.lastIndex() >= s.firstIndex() && rnd.nextInt(4) != 0) {
      long index = s.firstIndex() + rnd.nextInt((int) (s.lastIndex() - s.firstIndex() + 1));
      return new Point(index, s.term(index)); // compaction of our own log
    }
    // A snapshot from a leader whose history we do not share (beyond our log, or another term).
    long index = s.lastIndex() >= s.firstIndex() && rnd.nextBoolean()
        ? s.firstIndex() + rnd.nextInt((int) (s.lastIndex() - s.firstIndex() + 1))
        : s.lastIndex() + 1 + rnd.nextInt(3);
    return new Point(index, ++currentTerm[0]);
  }

  private void checkCrash(Random rnd, Path dir, RaftLogStore.Options options, History h, String lastSegment,
              long cut, boolean flip, boolean appendAfter, int n) throws IOException {
    Path copy = tmp.resolve(dir.getFileName() + "-cut-" + cut + "-" + n);
    copyDir(dir, copy, lastSegment);
    Path seg = copy.resolve(lastSegment);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
    }
    String what = "cut at " + cut;
    long synced = lastSyncAtOrBefore(h, Segment.parseSeq(lastSegment), cut);
    long low = Math.max(synced, lastSegment.equals(h.barrierSegment) ? h.barrierOffset : 0);
    TreeSet<Long> flips = new TreeSet<>();
    if (flip && cut > low) {
      // Damage only bytes no sync had covered: that is all a crash can do.
      byte[] bytes = Files.readAllBytes(seg);
      long first = low + (long) (rnd.nextDouble() * (cut - low));
      byte[] original = bytes.clone();
      int count = 1 + rnd.nextInt(3);
      for (int i = 0; i < count; i++) {
        long at = i == 0 ? first : first + (long) (rnd.nextDouble() * (cut - first));
        bytes[(int) at] ^= (byte) (1 + rnd.nextInt(255));
      }
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] != original[i]) { // two flips of one byte may cancel out
          flips.add((long) i);
        }
      }
      Files.write(seg, bytes);
      what += ", flipped at " + flips;
    }
    Outcome expected = expectedOutcome(h, lastSegment, cut, flips);
    outcomes.merge(expected.refusedAt() >= 0 ? "refused"
        : cut < Segment.HEADER_BYTES ? "recovered after a torn header" : "recovered", 1, Integer::sum);
    if (expected.refusedAt() >= 0) {
      String w = what;
      assertThatThrownBy(() -> RaftLogStore.open(copy, options)).as("%s (synced up to %d): must refuse", w, synced)
          .isInstanceOfSatisfying(CorruptLogException.class, e -> {
            assertThat(e.file()).isEqualTo(seg);
            if (expected.refusedAt() > 0) { // 0: a damaged header, reported at the field that fails
              assertThat(e.offset()).as("%s: %s", w, e.getMessage()).isEqualTo(expected.refusedAt());
            }
          });
      deleteDir(copy);
      return;
    }
    State recovered;
    try (RaftLogStore store = RaftLogStore.open(copy, options)) {
      recovered = stateOf(store);
      assertThat(recovered).as("%s (synced up to %d): recovered state", what, synced).isEqualTo(expected.state());
      if (appendAfter) {
        long next = store.lastIndex() + 1;
        Entry e = new Entry(store.term(store.lastIndex()) + 1, next, EntryType.NORMAL, new byte[] {7, 7});
        HardState hs = new HardState(e.term(), 9, 0);
        store.persist(List.of(e), hs);
        recovered = recovered.append(e).withHardState(hs);
      }
    }
    if (appendAfter) {
      try (RaftLogStore store = RaftLogStore.open(copy, options)) {
        assertThat(stateOf(store)).as("%s: appends after recovery survive another reopen", what).isEqualTo(recovered);
      }
    }
    deleteDir(copy);
  }

  /**
   * What opening must do when the last segment was cut at {@code cut} and bytes at {@code flips}
   * changed. The first damaged byte is the first flip, or the cut. If it lies in a record that
   * some later whole, unflipped record follows, the store must refuse at the damaged record's
   * start; otherwise it must recover the state after the last record that ends at or before that
   * start. A damaged header is refused too, unless the cut left less than a header: then the
   * segment held nothing and recovery goes back to the state it started with.
   */
  private static Outcome expectedOutcome(History h, String segment, long cut, TreeSet<Long> flips) {
    long damage = flips.isEmpty() ? cut : flips.first();
    List<Rec> recs = h.recs.stream().filter(r -> r.segment().equals(segment)).toList();
    Rec damaged = recs.stream().filter(r -> r.start() <= damage && damage < r.end()).findFirst().orElse(null);
    if (damaged == null) { // the cut fell on a record boundary and nothing was flipped
      return Outcome.recovered(stateAfterRecordsEndingBy(h, recs, segment, cut));
    }
    if (damaged.header()) {
      return cut < Segment.HEADER_BYTES ? Outcome.recovered(h.segmentStart.get(segment)) : Outcome.refused(0);
    }
    long p = damaged.start();
    boolean wholeRecordAfter = recs.stream().anyMatch(r -> r.start() > p && r.end() > r.start() && r.end() <= cut
        && flips.subSet(r.start(), r.end()).isEmpty());
    return wholeRecordAfter ? Outcome.refused(p) : Outcome.recovered(stateAfterRecordsEndingBy(h, recs, segment, p));
  }

  private static State stateAfterRecordsEndingBy(History h, List<Rec> recs, String segment, long offset) {
    State s = h.segmentStart.get(segment);
    for (Rec r : recs) {
      if (r.end() <= offset) {
        s = r.after();
      }
    }
    return s;
  }

  private static long lastSyncAtOrBefore(History h, long segmentSeq, long offset) {
    long best = 0;
    for (long[] s : h.syncs) {
      if (s[0] == segmentSeq && s[1] <= offset) {
        best = Math.max(best, s[1]);
      }
    }
    return best;
  }

  static State stateOf(RaftLogStore store) {
    return new State(store.hardState(), store.snapshot().map(s -> new Point(s.index(), s.term())).orElse(null),
        store.entries(store.firstIndex(), store.lastIndex() + 1));
  }

  static String lastSegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> Segment.parseSeq(n) >= 0)
          .max(Comparator.naturalOrder()).orElseThrow();
    }
  }

  /**
   * Copies the last segment (the only file recovery and new appends write to) and hard-links the
   * rest, which recovery only reads or deletes; this keeps thousands of crash copies cheap.
   */
  private static void copyDir(Path from, Path to, String lastSegment) throws IOException {
    Files.createDirectory(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.equals(lastSegment) || name.equals("LOCK")) {
          Files.copy(p, to.resolve(name));
        } else {
          Files.createLink(to.resolve(name), p);
        }
      }
    }
  }

  private static void deleteDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }
}
