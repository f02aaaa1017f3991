package dev.quern.worker.runner;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The heap that the task slots of this JVM share, and the default map sort buffer it leaves each
 * one. Every worker of the JVM (one in a worker process, the local mode's workers, a test's) adds
 * its slots while it lives. A slot's share is half the heap divided by the slots, at most {@link
 * DataPathConfig#DEFAULT_SORT_BUFFER}: so {@code local[8]} under a 512 MiB heap sorts in 32 MiB
 * buffers and spills more, where a fixed 128 MiB would run out of memory, and with the usual
 * 2 slots and 512 MiB the buffer is the full 128 MiB. The rest of the heap holds the reduces'
 * shuffle memory, the merges' read buffers, the combiner's objects and the records in flight.
 * Spark divides its execution memory among running tasks the same way; a job that sets
 * {@code quern.map.sort-buffer-size} gets what it asks for.
 */
public final class TaskMemory {
  /** The smallest default buffer, however many slots share a small heap. */
  static final long MIN_SORT_BUFFER = 4L << 20;
  private static final AtomicInteger SLOTS = new AtomicInteger();

  private TaskMemory() {}

  /** A worker's slots, counted until closed. */
  public interface Slots extends AutoCloseable {
    @Override
    void close();
  }

  /** Counts {@code slots} more task slots until the returned handle is closed (once). */
  public static Slots register(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be at least 1, got " + slots);
    }
    SLOTS.addAndGet(slots);
    AtomicInteger left = new AtomicInteger(slots);
    return () -> SLOTS.addAndGet(-left.getAndSet(0));
  }

  /** The task slots of this JVM's live workers. */
  public static int slots() {
    return SLOTS.get();
  }

  /** The default sort buffer of a map in this JVM now (see the class comment). */
  public static long defaultSortBuffer() {
    return sortBuffer(Runtime.getRuntime().maxMemory(), SLOTS.get());
  }

  static long sortBuffer(long maxHeap, int slots) {
    long share = maxHeap / 2 / Math.max(1, slots);
    return Math.max(MIN_SORT_BUFFER, Math.min(DataPathConfig.DEFAULT_SORT_BUFFER, share));
  }
}
