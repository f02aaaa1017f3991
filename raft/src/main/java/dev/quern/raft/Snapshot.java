package dev.quern.raft;

import java.util.Arrays;

/**
 * A state machine image that replaces the log up to and including {@code index}.
 *
 * @param index      the last entry the image includes
 * @param term       the term of that entry
 * @param membership the configuration in force at {@code index}
 * @param data       the application's bytes
 */
public record Snapshot(long index, long term, Membership membership, byte[] data) {

  public static final Snapshot EMPTY = new Snapshot(0, 0, Membership.EMPTY, new byte[0]);

  public Snapshot {
    if (data == null) {
      data = new byte[0];
    }
  }

  public boolean isEmpty() {
    return index == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot s && s.index == index && s.term == term
        && s.membership.equals(membership) && Arrays.equals(s.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index) * 31 + Long.hashCode(term);
  }

  @Override
  public String toString() {
    return "Snapshot[" + index + "@" + term + " " + membership + " " + data.length + "B]";
  }
}
