package dev.quern.worker.task;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The map outputs one running reduce attempt may read, by map index, kept up to date while it
 * runs: the worker adds an output when its map finishes (a reduce started early, by slow start)
 * and withdraws one when the master re-runs its map (the output was found lost, or its worker
 * was). A withdrawal names the map attempt, so one that arrives after that map's newer output
 * changes nothing. The reduce's fetch loop waits here for the next change.
 *
 * <p>The outputs are an array by map index that an update replaces (copy on write), so a
 * snapshot costs nothing however many maps there are: a reduce of 10,000 maps takes several
 * snapshots, and copying (and sorting) 10,000 entries for each was most of its time.
 *
 * <p>Beside the outputs a snapshot holds, by map index, a bit set of the maps with an output and
 * their attempts' numbers, and counts the outputs ever withdrawn or replaced: the reduce's fetch
 * loop finds the maps it does not hold yet a word (64 maps) at a time, and decides whether one
 * has nothing for its partition from ints and bits, without reading the outputs' objects (two
 * cold objects per map per reduce, once M x R reads per pass).
 *
 * <p>Thread-safe: the worker actor updates it, the attempt's slot thread reads it.
 */
public final class MapOutputFeed {
  private static final MapOutputRef[] NONE = new MapOutputRef[0];

  /** By map index; never written once published (an update writes a copy). */
  private MapOutputRef[] outputs;
  /** Bits by map index: the maps with an output; copied on write as {@link #outputs}. */
  private long[] present;
  /** By map index: the output's attempt number; copied on write as {@link #outputs}. */
  private int[] attempts;
  private int count;
  private long version;
  /** Outputs withdrawn or replaced by another, ever: a reader holding none sees 0 change. */
  private long replaced;

  /** The outputs the attempt started with. */
  public MapOutputFeed(List<MapOutputRef> initial) {
    this(Start.of(initial));
  }

  /**
   * The outputs the attempt started with, from arrays built once ({@link Start}): a job's reduces
   * start from one shared list, and building the arrays for each was, with 10,000 maps and 1,000
   * reduces, 10^7 writes on the worker actor.
   */
  public MapOutputFeed(Start start) {
    // Shared, never written: every update writes copies (copy on write, above).
    outputs = start.outputs;
    present = start.present;
    attempts = start.attempts;
    count = start.count;
  }

  /**
   * A feed's starting outputs by map index, built from a list once and shared by every feed
   * started from that same list ({@link #isOf}). Immutable.
   */
  public static final class Start {
    /** The list this was built from, when it is unmodifiable (else null: it could change). */
    private final List<MapOutputRef> from;
    private final MapOutputRef[] outputs;
    private final long[] present;
    private final int[] attempts;
    private final int count;

    private Start(List<MapOutputRef> from, MapOutputRef[] outputs, long[] present,
        int[] attempts, int count) {
      this.from = from;
      this.outputs = outputs;
      this.present = present;
      this.attempts = attempts;
      this.count = count;
    }

    public static Start of(List<MapOutputRef> initial) {
      int size = 0;
      for (MapOutputRef r : initial) {
        size = Math.max(size, r.mapIndex() + 1);
      }
      MapOutputRef[] by = size == 0 ? NONE : new MapOutputRef[size];
      long[] bits = new long[words(size)];
      int[] nums = new int[size];
      int count = 0;
      for (MapOutputRef r : initial) {
        checkIndex(r);
        int m = r.mapIndex();
        if (by[m] == null) {
          count++;
        }
        by[m] = r;
        bits[m >>> 6] |= 1L << m;
        nums[m] = r.attempt().attempt();
      }
      // List.copyOf returns an unmodifiable list itself (ReduceTaskSpec's inputs are one).
      boolean unmodifiable = List.copyOf(initial) == initial;
      return new Start(unmodifiable ? initial : null, by, bits, nums, count);
    }

    /** Whether this was built from {@code list} itself, an unmodifiable list. */
    public boolean isOf(List<MapOutputRef> list) {
      return from != null && from == list;
    }
  }

  private static int words(int maps) {
    return (maps + 63) >>> 6;
  }

  private static void checkIndex(MapOutputRef r) {
    if (r.mapIndex() < 0) {
      throw new IllegalArgumentException("map output of " + r.attempt()
          + " has a negative map index " + r.mapIndex());
    }
  }

  /**
   * The outputs of {@code withdrawn} map attempts are gone (each only if it is still the output
   * held for its map), then {@code added} ones exist (each replacing its map's older one).
   */
  public synchronized void update(List<MapOutputRef> added, List<TaskAttemptId> withdrawn) {
    int size = outputs.length;
    for (MapOutputRef a : added) {
      checkIndex(a);
      size = Math.max(size, a.mapIndex() + 1);
    }
    MapOutputRef[] by = Arrays.copyOf(outputs, size);
    long[] bits = Arrays.copyOf(present, words(size));
    int[] nums = Arrays.copyOf(attempts, size);
    for (TaskAttemptId w : withdrawn) {
      int m = w.taskIndex();
      if (m >= 0 && m < by.length && by[m] != null && by[m].attempt().equals(w)) {
        by[m] = null;
        bits[m >>> 6] &= ~(1L << m);
        nums[m] = 0;
        count--;
        replaced++;
      }
    }
    for (MapOutputRef a : added) {
      int m = a.mapIndex();
      if (by[m] == null) {
        count++;
      } else if (!by[m].equals(a)) {
        replaced++;
      }
      by[m] = a;
      bits[m >>> 6] |= 1L << m;
      nums[m] = a.attempt().attempt();
    }
    outputs = by;
    present = bits;
    attempts = nums;
    version++;
    notifyAll();
  }

  /** The outputs now. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(version, outputs, present, attempts, count, replaced);
  }

  /**
   * Waits until there was an update after {@code seen}, or {@code maxMillis} passed; returns the
   * outputs then (the same version on a timeout).
   */
  public synchronized Snapshot awaitAfter(Snapshot seen, long maxMillis)
      throws InterruptedException {
    long end = System.nanoTime() + maxMillis * 1_000_000;
    while (version == seen.version()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return snapshot();
  }

  /** The outputs at one version of the feed, by map index. Immutable. */
  public static final class Snapshot {
    private final long version;
    private final MapOutputRef[] byMap;
    private final long[] present;
    private final int[] attempts;
    private final int count;
    private final long replaced;
    private Map<Integer, MapOutputRef> asMap;

    private Snapshot(long version, MapOutputRef[] byMap, long[] present, int[] attempts,
        int count, long replaced) {
      this.version = version;
      this.byMap = byMap;
      this.present = present;
      this.attempts = attempts;
      this.count = count;
      this.replaced = replaced;
    }

    public long version() {
      return version;
    }

    /** One past the highest map index that may have an output. */
    public int span() {
      return byMap.length;
    }

    /** The output of map {@code mapIndex}, or null when there is none (yet). */
    public MapOutputRef get(int mapIndex) {
      return mapIndex >= 0 && mapIndex < byMap.length ? byMap[mapIndex] : null;
    }

    /**
     * Bits {@code 64 w} to {@code 64 w + 63} of the maps with an output (bit {@code m & 63} for
     * map {@code m}); 0 past the span.
     */
    public long presentWord(int w) {
      return w >= 0 && w < present.length ? present[w] : 0;
    }

    /** The attempt number of map {@code mapIndex}'s output; 0 also when there is none. */
    public int attemptOf(int mapIndex) {
      return mapIndex >= 0 && mapIndex < attempts.length ? attempts[mapIndex] : 0;
    }

    /**
     * How many outputs the feed had withdrawn or replaced by another up to this snapshot: while
     * it stays the same, every output a reader took from an earlier snapshot is still current.
     */
    public long replaced() {
      return replaced;
    }

    /** How many maps have an output. */
    public int count() {
      return count;
    }

    /** The outputs by map index, as a map (built on first use). */
    public synchronized Map<Integer, MapOutputRef> outputs() {
      if (asMap == null) {
        Map<Integer, MapOutputRef> m = new HashMap<>();
        for (int i = 0; i < byMap.length; i++) {
          if (byMap[i] != null) {
            m.put(i, byMap[i]);
          }
        }
        asMap = Collections.unmodifiableMap(m);
      }
      return asMap;
    }
  }
}
