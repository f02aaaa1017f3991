package dev.quern.raft;

/**
 * The sliding window of appends sent to one follower and not yet acknowledged, as the last index of
 * each. A full window pauses sending, which bounds the memory and bandwidth spent on a slow follower.
 */
final class Inflights {

  private final long[] buffer;
  private int start;
  private int count;

  Inflights(int capacity) {
    buffer = new long[capacity];
  }

  void add(long lastIndex) {
    if (full()) {
      throw new IllegalStateException("inflight window is full");
    }
    buffer[(start + count) % buffer.length] = lastIndex;
    count++;
  }

  /** Frees every append whose last index is at or below {@code index}. */
  void freeLE(long index) {
    while (count > 0 && buffer[start] <= index) {
      start = (start + 1) % buffer.length;
      count--;
    }
  }

  /** Frees the oldest append: a heartbeat response proves the follower is alive, so try again. */
  void freeFirstOne() {
    if (count > 0) {
      start = (start + 1) % buffer.length;
      count--;
    }
  }

  boolean full() {
    return count == buffer.length;
  }

  int count() {
    return count;
  }

  void reset() {
    start = 0;
    count = 0;
  }
}
