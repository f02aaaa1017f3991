package dev.quern.worker.task;

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
 * <p>Thread-safe: the worker actor updates it, the attempt's slot thread reads it.
 */
public final class MapOutputFeed {
  private final Map<Integer, MapOutputRef> outputs = new HashMap<>();
  private long version;

  /** The outputs the attempt started with. */
  public MapOutputFeed(List<MapOutputRef> initial) {
    for (MapOutputRef r : initial) {
      outputs.put(r.mapIndex(), r);
    }
  }

  /**
   * The outputs of {@code withdrawn} map attempts are gone (each only if it is still the output
   * held for its map), then {@code added} ones exist (each replacing its map's older one).
   */
  public synchronized void update(List<MapOutputRef> added, List<TaskAttemptId> withdrawn) {
    for (TaskAttemptId w : withdrawn) {
      MapOutputRef held = outputs.get(w.taskIndex());
      if (held != null && held.attempt().equals(w)) {
        outputs.remove(w.taskIndex());
      }
    }
    for (MapOutputRef a : added) {
      outputs.put(a.mapIndex(), a);
    }
    version++;
    notifyAll();
  }

  /** The outputs now. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(version, Map.copyOf(outputs));
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

  /** The outputs at one version of the feed, by map index. */
  public record Snapshot(long version, Map<Integer, MapOutputRef> outputs) {}
}
