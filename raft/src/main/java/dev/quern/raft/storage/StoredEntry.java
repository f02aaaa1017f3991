package dev.quern.raft.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft log entry as the store sees it: opaque bytes at an index, written in a term.
 *
 * <p>The store never interprets {@code data}; the Raft core decides what it encodes. The array is
 * not copied, so callers must not mutate it after handing it over.
 *
 * <pre>{@code new StoredEntry(7, 3, "JobAccepted...".getBytes(UTF_8))}</pre>
 */
public record StoredEntry(long index, long term, byte[] data) {

  public StoredEntry {
    if (index < 1) {
      throw new IllegalArgumentException("entry index must be >= 1, was " + index);
    }
    if (term < 0) {
      throw new IllegalArgumentException("entry term must be >= 0, was " + term);
    }
    Objects.requireNonNull(data, "data");
  }

  // A record compares arrays by reference; entries are values, so compare their bytes.
  @Override
  public boolean equals(Object o) {
    return o instanceof StoredEntry e && e.index == index && e.term == term && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "StoredEntry[index=" + index + ", term=" + term + ", " + data.length + " bytes]";
  }
}
