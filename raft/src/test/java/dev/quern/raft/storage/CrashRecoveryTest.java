package dev.quern.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

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
 * unsynced tail, and reopened. The recovered state must be exactly what the history had written up
 * to some record boundary at or before the damage, which is never earlier than the last sync before
 * it; and the store must accept new appends that survive another reopen.
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

  /** What the store should hold: a reference model that knows nothing of the file format. */
  record State(HardState hardState, SnapshotMeta snapshot, List<StoredEntry> entries) {

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

    State append(StoredEntry e) {
      List<StoredEntry> next = new ArrayList<>(entries.subList(0, (int) (e.index() - firstIndex())));
      next.add(e);
      return new State(hardState, snapshot, List.copyOf(next));
    }

    State withHardState(HardState hs) {
      return new State(hs, snapshot, entries);
    }

    State withSnapshot(SnapshotMeta meta) {
      if (meta.index() <= lastIndex() && meta.index() >= firstIndex() && term(meta.index()) == meta.term()) {
        return new State(hardState, meta, List.copyOf(entries.subList((int) (meta.index() - firstIndex() + 1), entries.size())));
      }
      return new State(hardState, meta, List.of());
    }
  }

  /** One store call that wrote to the segment {@code segment} between two offsets. */
  record Call(String segment, long start, long end, List<State> partials) {}

  /** The recorded history: write calls, syncs and the offset after the last snapshot. */
  static final class History {
    final List<Call> calls = new ArrayList<>();
    final List<long[]> syncs = new ArrayList<>(); // {segment sequence, file size} at each sync
    String barrierSegment;
    long barrierOffset;
    State state = new State(HardState.EMPTY, null, List.of());
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
  }

  private int runSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    Path dir = Files.createDirectory(tmp.resolve("seed-" + seed));
    RaftLogStore.Options options = new RaftLogStore.Options(new long[] {200, 512, 2048}[rnd.nextInt(3)]);
    History h = new History();
    long[] currentTerm = {1};
    try (RaftLogStore store = RaftLogStore.open(dir, options)) {
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

  private void runStep(Random rnd, RaftLogStore store, Path dir, History h, long[] currentTerm) throws IOException {
    String segBefore = lastSegment(dir);
    long sizeBefore = Files.size(dir.resolve(segBefore));
    State before = h.state;
    List<State> partials = new ArrayList<>();
    partials.add(before);
    int op = rnd.nextInt(100);
    if (op < 45 || op >= 95) {
      List<StoredEntry> batch = randomBatch(rnd, before, currentTerm);
      State s = before;
      for (StoredEntry e : batch) {
        s = s.append(e);
        partials.add(s);
      }
      if (op < 45) {
        store.append(batch);
      } else {
        HardState hs = randomHardState(rnd, currentTerm[0]);
        s = s.withHardState(hs);
        partials.add(s);
        store.persist(batch, hs);
        recordSync(h, dir);
      }
      h.state = s;
    } else if (op < 60) {
      HardState hs = randomHardState(rnd, currentTerm[0]);
      store.saveHardState(hs);
      h.state = before.withHardState(hs);
      partials.add(h.state);
    } else if (op < 85) {
      store.sync();
      recordSync(h, dir);
      return;
    } else {
      SnapshotMeta meta = randomSnapshot(rnd, before, currentTerm);
      store.saveSnapshot(meta, ("snapshot@" + meta).getBytes());
      h.state = before.withSnapshot(meta);
      h.barrierSegment = lastSegment(dir);
      h.barrierOffset = Files.size(dir.resolve(h.barrierSegment));
      // A zero-length call: from here on the snapshot is part of every acceptable state.
      h.calls.add(new Call(h.barrierSegment, h.barrierOffset, h.barrierOffset, List.of(h.state)));
      return;
    }
    String segAfter = lastSegment(dir);
    long start = segAfter.equals(segBefore) ? sizeBefore : 0;
    h.calls.add(new Call(segAfter, start, Files.size(dir.resolve(segAfter)), List.copyOf(partials)));
  }

  private static void recordSync(History h, Path dir) throws IOException {
    String seg = lastSegment(dir);
    h.syncs.add(new long[] {Segment.parseSeq(seg), Files.size(dir.resolve(seg))});
  }

  private static List<StoredEntry> randomBatch(Random rnd, State s, long[] currentTerm) {
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
    List<StoredEntry> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[rnd.nextInt(48)];
      rnd.nextBytes(data);
      batch.add(new StoredEntry(first + i, term, data));
    }
    return batch;
  }

  private static HardState randomHardState(Random rnd, long term) {
    return new HardState(term, rnd.nextBoolean() ? null : "m" + rnd.nextInt(5), rnd.nextInt(100));
  }

  private static SnapshotMeta randomSnapshot(Random rnd, State s, long[] currentTerm) {
    if (s.lastIndex() >= s.firstIndex() && rnd.nextInt(4) != 0) {
      long index = s.firstIndex() + rnd.nextInt((int) (s.lastIndex() - s.firstIndex() + 1));
      return new SnapshotMeta(index, s.term(index)); // compaction of our own log
    }
    // A snapshot from a leader whose history we do not share (beyond our log, or another term).
    long index = s.lastIndex() >= s.firstIndex() && rnd.nextBoolean()
        ? s.firstIndex() + rnd.nextInt((int) (s.lastIndex() - s.firstIndex() + 1))
        : s.lastIndex() + 1 + rnd.nextInt(3);
    return new SnapshotMeta(index, ++currentTerm[0]);
  }

  private void checkCrash(Random rnd, Path dir, RaftLogStore.Options options, History h, String lastSegment,
              long cut, boolean flip, boolean appendAfter, int n) throws IOException {
    Path copy = tmp.resolve(dir.getFileName() + "-cut-" + cut + "-" + n);
    copyDir(dir, copy, lastSegment);
    Path seg = copy.resolve(lastSegment);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
    }
    long damage = cut;
    String what = "cut at " + cut;
    long synced = lastSyncAtOrBefore(h, Segment.parseSeq(lastSegment), cut);
    long low = Math.max(synced, lastSegment.equals(h.barrierSegment) ? h.barrierOffset : 0);
    if (flip && cut > low) {
      // Damage only bytes no sync had covered: that is all a crash can do.
      byte[] bytes = Files.readAllBytes(seg);
      long first = low + (long) (rnd.nextDouble() * (cut - low));
      int flips = 1 + rnd.nextInt(3);
      for (int i = 0; i < flips; i++) {
        long at = i == 0 ? first : first + (long) (rnd.nextDouble() * (cut - first));
        bytes[(int) at] ^= (byte) (1 + rnd.nextInt(255));
      }
      Files.write(seg, bytes);
      damage = first;
      what += ", flipped from " + first;
    }
    List<State> acceptable = acceptableStates(h, lastSegment, damage);
    State recovered;
    try (RaftLogStore store = RaftLogStore.open(copy, options)) {
      recovered = stateOf(store);
      assertThat(acceptable).as("%s (synced up to %d): recovered state must be a written prefix", what, synced)
          .contains(recovered);
      if (appendAfter) {
        long next = store.lastIndex() + 1;
        StoredEntry e = new StoredEntry(next, store.term(store.lastIndex()) + 1, new byte[] {7, 7});
        HardState hs = new HardState(e.term(), "after-crash", 0);
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
   * The states the store may recover when the last segment is damaged from {@code damage} on: the
   * state after the last write call that ends at or before it, or, if a call's bytes straddle it,
   * any state after a whole number of that call's records. A cut at X stands for a crash when the
   * segment held X bytes, so the syncs before the crash are those at offsets up to X, and every state
   * offered here contains what they made durable (flips are placed only after the last of them).
   */
  private static List<State> acceptableStates(History h, String segment, long damage) {
    List<Call> inSegment = h.calls.stream().filter(c -> c.segment().equals(segment)).toList();
    if (inSegment.isEmpty()) {
      return List.of(h.state); // the segment holds nothing but what the last barrier made durable
    }
    Call lastWhole = null;
    for (Call c : inSegment) {
      if (c.start() <= damage && damage < c.end()) {
        return c.partials().subList(0, c.partials().size() - 1);
      }
      if (c.end() <= damage) {
        lastWhole = c;
      }
    }
    return List.of(lastWhole == null ? inSegment.get(0).partials().get(0) : lastWhole.partials().get(lastWhole.partials().size() - 1));
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
    return new State(store.hardState(), store.snapshotMeta().orElse(null), store.entries(store.firstIndex(), store.lastIndex() + 1));
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
