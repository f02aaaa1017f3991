package dev.quern.raft;

import java.util.Arrays;

/**
 * One log entry. Equality compares the data bytes, so two nodes' entries can be compared directly.
 *
 * @param term  the leader's term when the entry was created
 * @param index the position in the log, starting at 1
 * @param type  what the data means
 * @param data  the command bytes (empty for {@link EntryType#NO_OP}); never mutated after creation
 */
public record Entry(long term, long index, EntryType type, byte[] data) {

  /**
   * Bytes an entry's own fields (term, index, type, data length) take at most on the wire, on top
   * of its data: 9 + 9 + 1 + 5 with variable-length numbers.
   */
  public static final int OVERHEAD = 24;

  private static final byte[] EMPTY = new byte[0];

  public Entry {
    if (data == null) {
      data = EMPTY;
    }
  }

  /** The most this entry takes on the wire: what bounds the bytes per append, in flight and uncommitted. */
  public int size() {
    return data.length + OVERHEAD;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && e.term == term && e.index == index && e.type == type && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(term) * 31 + Long.hashCode(index) * 17 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Entry[" + index + "@" + term + " " + type + " " + data.length + "B]";
  }
}
