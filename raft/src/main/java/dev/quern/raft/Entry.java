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

  private static final byte[] EMPTY = new byte[0];

  public Entry {
    if (data == null) {
      data = EMPTY;
    }
  }

  /** Approximate size on the wire, used to bound the bytes per append message. */
  int size() {
    return data.length + 24;
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
