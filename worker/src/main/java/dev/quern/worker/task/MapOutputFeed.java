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
 * <p>Thread-safe: the worker actor updates it, the attempt's slot thread reads it.
 */
public final class MapOutputFeed {
  private static final MapOutputRef[] NONE = new MapOutputRef[0];

  /** By map index; never written once published (an update writes a copy). */
  private MapOutputRef[] outputs;
  private int count;
  private long version;

  /** The outputs the attempt started with. */
  public MapOutputFeed(List<MapOutputRef> initial) {
    int size = 0;
    for (MapOutputRef r : initial) {
      size = Math.max(size, r.mapIndex() + 1);
    }
    MapOutputRef[] by = size == 0 ? NONE : new MapOutputRef[size];
    for (MapOutputRef r : initial) {
      checkIndex(r);
      if (by[r.mapIndex()] == null) {
        count++;
      }
      by[r.mapIndex()] = r;
    }
    outputs = by;
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
    for (TaskAttemptId w : withdrawn) {
      int m = w.taskIndex();
      if (m >= 0 && m < by.length && by[m] != null && by[m].attempt().equals(w)) {
        by[m] = null;
        count--;
      }
    }
    for (MapOutputRef a : added) {
      if (by[a.mapIndex()] == null) {
        count++;
      }
      by[a.mapIndex()] = a;
    }
    outputs = by;
    version++;
    notifyAll();
  }

  /** The outputs now. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(version, outputs, count);
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
    private final int count;
    private Map<Integer, MapOutputRef> asMap;

    private Snapshot(long version, MapOutputRef[] byMap, int count) {
      this.version = version;
      this.byMap = byMap;
      this.count = count;
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
