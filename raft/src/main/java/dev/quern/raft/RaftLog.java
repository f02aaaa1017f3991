package dev.quern.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated log of one node: the latest snapshot, the entries after the compaction point, the
 * commit and apply positions, and which part is not yet on stable storage ("unstable"). It also
 * remembers the configuration at every conf-change entry, because a configuration takes effect when
 * it is appended and must be reverted if that entry is truncated.
 */
final class RaftLog {

  /** Latest snapshot; its index is at or above {@link #offsetIndex}. */
  private Snapshot snapshot;
  /** The index and term of the entry just before {@code entries.get(0)} (the compaction point). */
  private long offsetIndex;
  private long offsetTerm;
  private final ArrayList<Entry> entries = new ArrayList<>();

  long committed;
  long applied;

  /** The first index that has not been handed to the driver for persisting yet. */
  private long unstableFrom;
  /** A snapshot received from the leader that the driver has not persisted and installed yet. */
  private Snapshot unstableSnapshot;

  /** Index of a conf-change entry (or of the snapshot) to the configuration from there on. */
  private final TreeMap<Long, Membership> confHistory = new TreeMap<>();

  RaftLog(PersistentState state) {
    snapshot = state.snapshot();
    offsetIndex = snapshot.index();
    offsetTerm = snapshot.term();
    confHistory.put(offsetIndex, snapshot.membership());
    List<Entry> stored = state.entries();
    int from = keptMargin(stored, snapshot);
    if (from > 0) {
      // Entries below the snapshot kept as a compaction margin (RaftConfig.compactionMargin): the first
      // gives the term at the new offset, the rest stay for followers that lag a little. Their
      // conf changes are already in the snapshot's membership, so they are not replayed.
      Entry base = stored.get(0);
      offsetIndex = base.index();
      offsetTerm = base.term();
      entries.addAll(stored.subList(1, from));
    }
    for (Entry e : stored.subList(Math.max(from, 0), stored.size())) {
      if (e.index() <= offsetIndex) {
        continue;
      }
      if (e.index() != lastIndex() + 1) {
        throw new IllegalArgumentException("persisted entries are not contiguous at " + e.index());
      }
      addEntry(e);
    }
    committed = Math.max(snapshot.index(), Math.min(state.hardState().commit(), lastIndex()));
    applied = snapshot.index();
    unstableFrom = lastIndex() + 1;
  }

  /**
   * How many stored entries lie at or below the snapshot and form a margin that agrees with it
   * (contiguous, ending at the snapshot's index with its term); 0 if none or if they do not agree.
   */
  private static int keptMargin(List<Entry> stored, Snapshot snapshot) {
    if (stored.isEmpty() || snapshot.isEmpty() || stored.get(0).index() >= snapshot.index()) {
      return 0;
    }
    int n = (int) (snapshot.index() - stored.get(0).index() + 1);
    if (n > stored.size()) {
      return 0;
    }
    for (int i = 0; i < n; i++) {
      if (stored.get(i).index() != stored.get(0).index() + i) {
        return 0;
      }
    }
    return stored.get(n - 1).term() == snapshot.term() ? n : 0;
  }

  long firstIndex() {
    return offsetIndex + 1;
  }

  long lastIndex() {
    return offsetIndex + entries.size();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** The term of the entry at {@code index}, or -1 if it is compacted away or beyond the end. */
  long term(long index) {
    if (index == offsetIndex) {
      return offsetTerm;
    }
    if (index < offsetIndex || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - offsetIndex - 1)).term();
  }

  boolean matchTerm(long index, long term) {
    return term(index) == term;
  }

  /** Election restriction (Raft 5.4.1): is a log ending at (lastIndex, lastTerm) at least as up to date? */
  boolean isUpToDate(long lastIndex, long lastTerm) {
    long myTerm = lastTerm();
    return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
  }

  Snapshot snapshot() {
    return snapshot;
  }

  Membership membership() {
    return confHistory.lastEntry().getValue();
  }

  /** The index of the latest conf-change entry (or of the snapshot that carries the configuration). */
  long lastConfIndex() {
    return confHistory.lastKey();
  }

  Membership membershipAt(long index) {
    Map.Entry<Long, Membership> e = confHistory.floorEntry(index);
    return e == null ? confHistory.firstEntry().getValue() : e.getValue();
  }

  /**
   * Follower side of AppendEntries. Returns the index of the last new entry, or -1 if the log does
   * not contain (prevIndex, prevTerm).
   */
  long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return -1;
    }
    long lastNew = prevIndex + ents.size();
    long conflict = findConflict(ents);
    if (conflict != 0) {
      if (conflict <= committed) {
        throw new IllegalStateException("entry " + conflict + " conflicts with committed " + committed);
      }
      append(ents.subList((int) (conflict - prevIndex - 1), ents.size()));
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** The first entry whose term differs from ours (or that we lack), or 0 if all match. */
  private long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.index(), e.term())) {
        return e.index();
      }
    }
    return 0;
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}: the fast
   * back-off hint. Both sides use it, so a divergent term costs one round trip, not one per entry.
   */
  long findConflictByTerm(long index, long term) {
    index = Math.min(index, lastIndex());
    while (true) {
      long t = term(index);
      if (t < 0 || t <= term) {
        return index;
      }
      index--;
    }
  }

  /** Appends entries, truncating any existing entries from the first one's index on. */
  void append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return;
    }
    long after = ents.get(0).index() - 1;
    if (after < committed) {
      throw new IllegalStateException("truncating committed entries: after=" + after + " committed=" + committed);
    }
    if (after < lastIndex()) {
      entries.subList((int) (after - offsetIndex), entries.size()).clear();
      confHistory.tailMap(after, false).clear();
      unstableFrom = Math.min(unstableFrom, after + 1);
    }
    for (Entry e : ents) {
      addEntry(e);
    }
  }

  private void addEntry(Entry e) {
    entries.add(e);
    if (e.type() == EntryType.CONF_CHANGE) {
      confHistory.put(e.index(), membership().apply(ConfChange.decode(e.data())));
    }
  }

  void commitTo(long index) {
    if (index > committed) {
      if (index > lastIndex()) {
        throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
      }
      committed = index;
    }
  }

  /**
   * Entries in [lo, lastIndex], at most maxCount and at most maxBytes of {@link Entry#size()} — except
   * that with {@code atLeastOne} the first entry is included whatever its size. Null if lo is compacted.
   */
  List<Entry> slice(long lo, int maxCount, long maxBytes, boolean atLeastOne) {
    if (lo <= offsetIndex) {
      return null;
    }
    ArrayList<Entry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = lo; i <= lastIndex() && out.size() < maxCount; i++) {
      Entry e = entries.get((int) (i - offsetIndex - 1));
      bytes += e.size();
      if (bytes > maxBytes && !(out.isEmpty() && atLeastOne)) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  Entry entry(long index) {
    return entries.get((int) (index - offsetIndex - 1));
  }

  /** The last index the driver has reported persisted ({@link #stableTo}); never beyond the last index. */
  long stableIndex() {
    return Math.min(unstableFrom - 1, lastIndex());
  }

  boolean hasUnstableEntries() {
    return unstableFrom <= lastIndex();
  }

  /** Entries the driver must persist. */
  List<Entry> unstableEntries() {
    if (unstableFrom > lastIndex()) {
      return List.of();
    }
    return new ArrayList<>(entries.subList((int) (unstableFrom - offsetIndex - 1), entries.size()));
  }

  Snapshot unstableSnapshot() {
    return unstableSnapshot;
  }

  /** Committed entries not yet applied, starting after the pending snapshot if there is one. */
  List<Entry> nextCommittedEntries() {
    long from = applied + 1;
    if (unstableSnapshot != null) {
      from = Math.max(from, unstableSnapshot.index() + 1);
    }
    if (from > committed) {
      return List.of();
    }
    return new ArrayList<>(entries.subList((int) (from - offsetIndex - 1), (int) (committed - offsetIndex)));
  }

  boolean hasNextCommittedEntries() {
    long from = applied + 1;
    if (unstableSnapshot != null) {
      from = Math.max(from, unstableSnapshot.index() + 1);
    }
    return from <= committed;
  }

  void stableTo(long index) {
    unstableFrom = Math.max(unstableFrom, index + 1);
  }

  void stableSnapshot() {
    unstableSnapshot = null;
  }

  void appliedTo(long index) {
    if (index > committed) {
      throw new IllegalStateException("applied " + index + " beyond commit " + committed);
    }
    applied = Math.max(applied, index);
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  void restore(Snapshot s) {
    entries.clear();
    snapshot = s;
    unstableSnapshot = s;
    offsetIndex = s.index();
    offsetTerm = s.term();
    committed = s.index();
    unstableFrom = s.index() + 1;
    confHistory.clear();
    confHistory.put(s.index(), s.membership());
  }

  /**
   * Records a snapshot the application took at {@code index} (at most the applied index) and drops
   * entries up to {@code index - margin}.
   */
  Snapshot compact(long index, byte[] data, int margin) {
    if (index > applied || index <= snapshot.index()) {
      throw new IllegalArgumentException("snapshot index " + index + " must be in (" + snapshot.index() + ", " + applied + "]");
    }
    snapshot = new Snapshot(index, term(index), membershipAt(index), data);
    long newOffset = Math.max(offsetIndex, index - margin);
    if (newOffset > offsetIndex) {
      Membership base = membershipAt(newOffset);
      long newOffsetTerm = term(newOffset);
      entries.subList(0, (int) (newOffset - offsetIndex)).clear();
      offsetIndex = newOffset;
      offsetTerm = newOffsetTerm;
      confHistory.headMap(newOffset, true).clear();
      confHistory.put(newOffset, base);
    }
    return snapshot;
  }
}
