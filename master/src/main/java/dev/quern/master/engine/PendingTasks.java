package dev.quern.master.engine;

import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskKind;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tasks of one live job that may be ready to run, in the order the {@link Scheduler} launches
 * them: maps largest split first (then by index), reduces by index; and the ready maps again by
 * each host that holds their split's blocks, so that a free slot on a host finds a map whose input
 * is there without a scan. A task is offered whenever an event may have made it ready (the job's
 * acceptance, an attempt that failed or was killed, a map output that was lost) and checked again
 * when taken, so a scheduling decision looks at the tasks it launches plus the stale entries it
 * drops, never at the whole job.
 */
final class PendingTasks {
  private final BookJob job;
  /**
   * The job's splits: the book's, or the leader's soft copy of a stored list; null while the
   * leader has not loaded that copy, and then no map is ready ({@link #splitsArrived}).
   */
  private List<BookSplit> splits;
  private final Comparator<BookTask> mapOrder;
  private final TreeSet<BookTask> maps;
  private final TreeSet<BookTask> reduces = new TreeSet<>(Comparator.comparingInt(BookTask::index));
  /** Ready maps by a host of their split; a host's entry goes when it empties. */
  private final Map<String, TreeSet<BookTask>> mapsByHost = new HashMap<>();
  /** The map outputs handed to each reduce, while no map output changed; null to rebuild. */
  List<MapOutputRef> mapOutputs;

  /**
   * Every task of {@code job} that is not done, as a job just accepted or read from a book; the
   * maps only if {@code splits} (one per map task) is not null.
   */
  PendingTasks(BookJob job, List<BookSplit> splits) {
    this.job = job;
    this.splits = splits;
    this.mapOrder = Comparator
        .comparingLong((BookTask t) -> -this.splits.get(t.index()).length())
        .thenComparingInt(BookTask::index);
    this.maps = new TreeSet<>(mapOrder);
    for (BookTask t : job.maps()) {
      offer(t);
    }
    for (BookTask t : job.reduces()) {
      offer(t);
    }
  }

  BookJob job() {
    return job;
  }

  /** Whether the job's splits are here (else its maps cannot be launched yet). */
  boolean hasSplits() {
    return splits != null;
  }

  /** The job's splits came (a leader loaded a stored list): every map not done is offered. */
  void splitsArrived(List<BookSplit> list) {
    if (splits != null) {
      return;
    }
    splits = list;
    for (BookTask t : job.maps()) {
      offer(t);
    }
  }

  /**
   * The hosts holding the input of a map task; empty for reduces, for splits without hosts, and
   * while the splits are not here.
   */
  List<String> hosts(BookTask t) {
    return t.kind() == TaskKind.MAP && splits != null ? splits.get(t.index()).hosts() : List.of();
  }

  /** Notes that {@code task} may be ready; a task already offered stays once. */
  void offer(BookTask task) {
    if (task == null || task.isDone() || (task.kind() == TaskKind.MAP && splits == null)) {
      return;
    }
    if (task.kind() == TaskKind.REDUCE) {
      reduces.add(task);
      return;
    }
    maps.add(task);
    for (String h : hosts(task)) {
      mapsByHost.computeIfAbsent(h, k -> new TreeSet<>(mapOrder)).add(task);
    }
  }

  /** Whether the task can be launched now (not done, no attempt running). */
  private static boolean ready(BookTask t) {
    return !t.isDone() && !t.hasRunningAttempt();
  }

  /**
   * The next ready map, left in place (take it with {@link #take}), or null; stale entries
   * before it are dropped, each counted in {@code examined}.
   */
  BookTask peekMap(long[] examined) {
    while (!maps.isEmpty()) {
      BookTask t = maps.first();
      examined[0]++;
      if (ready(t)) {
        return t;
      }
      // Running or done: the event that makes it ready again offers it again.
      remove(t);
    }
    return null;
  }

  /** The next ready reduce, left in place, or null; as {@link #peekMap}. */
  BookTask peekReduce(long[] examined) {
    while (!reduces.isEmpty()) {
      BookTask t = reduces.first();
      examined[0]++;
      if (ready(t)) {
        return t;
      }
      reduces.remove(t);
    }
    return null;
  }

  /** The next ready map whose split has a block on {@code host}, left in place, or null. */
  BookTask peekMapOn(String host, long[] examined) {
    TreeSet<BookTask> set = mapsByHost.get(host);
    while (set != null && !set.isEmpty()) {
      BookTask t = set.first();
      examined[0]++;
      if (ready(t)) {
        return t;
      }
      remove(t);
      set = mapsByHost.get(host);
    }
    return null;
  }

  /** The hosts that some ready map's split has a block on (read-only; may hold stale maps). */
  Set<String> hostsWithMaps() {
    return mapsByHost.keySet();
  }

  /** Takes a task that is being launched out of every list it is in. */
  void take(BookTask t) {
    if (t.kind() == TaskKind.REDUCE) {
      reduces.remove(t);
    } else {
      remove(t);
    }
  }

  private void remove(BookTask map) {
    maps.remove(map);
    for (String h : hosts(map)) {
      TreeSet<BookTask> set = mapsByHost.get(h);
      if (set != null && set.remove(map) && set.isEmpty()) {
        mapsByHost.remove(h);
      }
    }
  }
}
