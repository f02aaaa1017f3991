package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * The log's entries held in memory: a base (the snapshot point, index and term) and the contiguous
 * entries after it. Applies Raft's append rule (an entry at an existing index truncates from there)
 * both when recovering from disk and when serving live appends, so the two cannot disagree.
 */
final class MemLog {

  /** Term of a base we have not learnt yet (recovery starting in the middle of old segments). */
  static final long UNKNOWN_TERM = -1;

  private long baseIndex;
  private long baseTerm;
  private final ArrayList<Entry> entries = new ArrayList<>();

  MemLog(long baseIndex, long baseTerm) {
    this.baseIndex = baseIndex;
    this.baseTerm = baseTerm;
  }

  long baseIndex() {
    return baseIndex;
  }

  long baseTerm() {
    return baseTerm;
  }

  long firstIndex() {
    return baseIndex + 1;
  }

  long lastIndex() {
    return baseIndex + entries.size();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Null if the batch is acceptable, else why not. */
  String checkAppend(List<Entry> batch) {
    if (batch.isEmpty()) {
      return null;
    }
    long first = batch.get(0).index();
    if (first <= baseIndex) {
      return "entry " + first + " is at or before the snapshot/base index " + baseIndex + " and cannot be overwritten";
    }
    if (first > lastIndex() + 1) {
      return "entry " + first + " would leave a gap after last index " + lastIndex();
    }
    long prevTerm = first - 1 == baseIndex ? baseTerm : term(first - 1);
    for (int i = 0; i < batch.size(); i++) {
      Entry e = batch.get(i);
      if (e.index() != first + i) {
        return "entries are not contiguous: expected index " + (first + i) + " but got " + e.index();
      }
      if (e.term() < prevTerm) {
        return "entry " + e.index() + " has term " + e.term() + " below the previous entry's term " + prevTerm;
      }
      prevTerm = e.term();
    }
    return null;
  }

  /** Appends a batch already accepted by {@link #checkAppend}. */
  void append(List<Entry> batch) {
    if (batch.isEmpty()) {
      return;
    }
    truncateFrom(batch.get(0).index());
    entries.addAll(batch);
  }

  private void truncateFrom(long index) {
    int keep = (int) (index - baseIndex - 1);
    if (keep < entries.size()) {
      entries.subList(keep, entries.size()).clear();
    }
  }

  /** Forgets every entry; the log now continues after {@code index}. */
  void reset(long index, long term) {
    entries.clear();
    baseIndex = index;
    baseTerm = term;
  }

  /**
   * If the log holds {@code index} with {@code term}, drops it and everything before and returns
   * true; otherwise changes nothing and returns false.
   */
  boolean compactTo(long index, long term) {
    if (index == baseIndex && (term == baseTerm || baseTerm == UNKNOWN_TERM)) {
      baseTerm = term;
      return true;
    }
    if (index <= baseIndex || index > lastIndex() || term(index) != term) {
      return false;
    }
    entries.subList(0, (int) (index - baseIndex)).clear();
    baseIndex = index;
    baseTerm = term;
    return true;
  }

  /**
   * Like {@link #compactTo} but keeps the entries from {@code index - margin} on (a trailing margin for
   * followers that lag a little): the base moves to {@code index - margin - 1} at most.
   */
  boolean compactKeeping(long index, long term, int margin) {
    if (margin == 0) {
      return compactTo(index, term);
    }
    if (!(index == baseIndex && (term == baseTerm || baseTerm == UNKNOWN_TERM))
        && (index <= baseIndex || index > lastIndex() || term(index) != term)) {
      return false;
    }
    long newBase = index - margin - 1;
    if (newBase > baseIndex) {
      long newBaseTerm = term(newBase);
      entries.subList(0, (int) (newBase - baseIndex)).clear();
      baseIndex = newBase;
      baseTerm = newBaseTerm;
    } else if (index == baseIndex) {
      baseTerm = term;
    }
    return true;
  }

  long term(long index) {
    if (index == baseIndex && baseTerm != UNKNOWN_TERM) {
      return baseTerm;
    }
    if (index <= baseIndex || index > lastIndex()) {
      throw new IndexOutOfBoundsException(
          "index " + index + " is outside the log [" + firstIndex() + ", " + lastIndex() + "] (base " + baseIndex + ")");
    }
    return entries.get((int) (index - baseIndex - 1)).term();
  }

  List<Entry> slice(long from, long toExclusive) {
    if (from < firstIndex() || toExclusive > lastIndex() + 1 || from > toExclusive) {
      throw new IndexOutOfBoundsException(
          "range [" + from + ", " + toExclusive + ") is outside the log [" + firstIndex() + ", " + lastIndex() + "]");
    }
    return List.copyOf(entries.subList((int) (from - baseIndex - 1), (int) (toExclusive - baseIndex - 1)));
  }
}
