package dev.quern.raft;

/**
 * The sliding window of appends sent to one follower and not yet acknowledged: the last index and
 * the entry bytes of each. The window is bounded in messages and in bytes (etcd's MaxInflightMsgs
 * and MaxInflightBytes); a full window pauses sending, which bounds the memory and bandwidth spent
 * on a slow or unreachable follower. Unlike etcd's, the byte bound is never overshot: an append is
 * sent only if it fits ({@link #fits}), except into an empty window, which takes any one append.
 */
final class Inflights {

  private final long[] lastIndex;
  private final long[] sizes;
  private final long maxBytes;
  private int start;
  private int count;
  private long bytes;

  Inflights(int capacity, long maxBytes) {
    this.lastIndex = new long[capacity];
    this.sizes = new long[capacity];
    this.maxBytes = maxBytes;
  }

  void add(long last, long size) {
    if (count == lastIndex.length) {
      throw new IllegalStateException("inflight window is full");
    }
    int i = (start + count) % lastIndex.length;
    lastIndex[i] = last;
    sizes[i] = size;
    count++;
    bytes += size;
  }

  /** Frees every append whose last index is at or below {@code index}. */
  void freeLE(long index) {
    while (count > 0 && lastIndex[start] <= index) {
      freeFirstOne();
    }
  }

  /** Frees the oldest append: a heartbeat response proves the follower is alive, so try again. */
  void freeFirstOne() {
    if (count > 0) {
      bytes -= sizes[start];
      start = (start + 1) % lastIndex.length;
      count--;
    }
  }

  /** No further append may go out: the window is full in messages or in bytes. */
  boolean full() {
    return count == lastIndex.length || bytes >= maxBytes;
  }

  /** The entry bytes a next append may carry: anything into an empty window, else what is left. */
  long budget() {
    return count == 0 ? Long.MAX_VALUE : Math.max(0, maxBytes - bytes);
  }

  /** Would an append of {@code size} entry bytes fit now? */
  boolean fits(long size) {
    return !full() && size <= budget();
  }

  int count() {
    return count;
  }

  /** Entry bytes in flight. */
  long bytes() {
    return bytes;
  }

  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
