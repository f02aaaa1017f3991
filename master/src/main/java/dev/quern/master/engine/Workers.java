package dev.quern.master.engine;

import dev.quern.worker.task.TaskAttemptId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The live workers as the {@link Scheduler} sees them (soft state, not in the book): slots, the
 * attempts each runs, when each was last heard from; and whether their published view is stale.
 * The workers with a free slot are kept in the order a launch prefers them (most free slots,
 * then the first registered), overall and per host, so that a launch finds its worker in
 * O(log workers) rather than by a scan.
 */
final class Workers {
  /** Progress reports come every few hundred ms; the worker list is republished at most 1/s. */
  private static final long REPORT_TIME_STEP_MS = 1_000;

  /**
   * Up to this many workers, their views are republished on every change of their slots (the
   * UI shows each); beyond it at most once per {@link #REPORT_TIME_STEP_MS}, since each view
   * lists every worker.
   */
  static final int EAGER_VIEW_WORKERS = 64;

  /** Most free slots first, then the first registered. */
  private static final Comparator<Worker> PREFERRED =
      Comparator.comparingInt((Worker w) -> -w.free()).thenComparingLong(w -> w.seq);

  static final class Worker {
    final String id;
    final String host;
    final int slots;
    final long seq;
    final Set<TaskAttemptId> running = new LinkedHashSet<>();
    /** Epoch millis of the last message heard from the worker, and of the last one published. */
    long lastReport;
    long publishedReport;

    Worker(String id, String host, int slots, long seq, long now) {
      this.id = id;
      this.host = host;
      this.slots = slots;
      this.seq = seq;
      this.lastReport = now;
      this.publishedReport = now;
    }

    int free() {
      return slots - running.size();
    }
  }

  private final Map<String, Worker> byId = new LinkedHashMap<>();
  private final TreeSet<Worker> free = new TreeSet<>(PREFERRED);
  private final Map<String, TreeSet<Worker>> freeByHost = new HashMap<>();
  /** Live workers per host. */
  private final Map<String, Integer> hosts = new HashMap<>();
  private long registered;
  private int totalSlots;
  private boolean dirty;
  /** Whether a worker came or went since the last views (published at once, however many). */
  private boolean membershipChanged;
  private long publishedAt = Long.MIN_VALUE;

  void register(String id, String host, int slots, long now) {
    remove(id);
    Worker w = new Worker(id, host, slots, registered++, now);
    byId.put(id, w);
    hosts.merge(host, 1, Integer::sum);
    totalSlots += slots;
    index(w);
    dirty = true;
    membershipChanged = true;
  }

  /** The worker that was removed, or null. */
  Worker remove(String id) {
    Worker w = byId.remove(id);
    if (w != null) {
      unindex(w);
      hosts.merge(w.host, -1, (a, b) -> a + b == 0 ? null : a + b);
      totalSlots -= w.slots;
      dirty = true;
      membershipChanged = true;
    }
    return w;
  }

  Worker get(String id) {
    return id == null ? null : byId.get(id);
  }

  int size() {
    return byId.size();
  }

  int totalSlots() {
    return totalSlots;
  }

  /** Whether a live worker runs on {@code host}. */
  boolean hasHost(String host) {
    return hosts.containsKey(host);
  }

  boolean anyFree() {
    return !free.isEmpty();
  }

  /** The hosts with a free slot (read-only). */
  Set<String> freeHosts() {
    return freeByHost.keySet();
  }

  /** The worker with the most free slots (the first registered among equals), or null. */
  Worker freest(String excluded) {
    return pick(w -> !w.id.equals(excluded));
  }

  /**
   * The preferred worker with a free slot that {@code allowed} accepts, or null; looks at the
   * workers it passes over plus one.
   */
  Worker pick(Predicate<Worker> allowed) {
    for (Worker w : free) {
      if (allowed.test(w)) {
        return w;
      }
    }
    return null;
  }

  /** As {@link #pick}, among the workers on {@code host}. */
  Worker pickOn(String host, Predicate<Worker> allowed) {
    TreeSet<Worker> set = freeByHost.get(host);
    if (set != null) {
      for (Worker w : set) {
        if (allowed.test(w)) {
          return w;
        }
      }
    }
    return null;
  }

  void started(Worker w, TaskAttemptId attempt) {
    unindex(w);
    w.running.add(attempt);
    index(w);
    dirty = true;
  }

  /** Frees the attempt's slot; whether the worker was running it. */
  boolean release(String workerId, TaskAttemptId attempt) {
    Worker w = get(workerId);
    if (w == null || !w.running.contains(attempt)) {
      return false;
    }
    unindex(w);
    w.running.remove(attempt);
    index(w);
    dirty = true;
    return true;
  }

  /** Takes the worker out of the free sets; call before its free slots change. */
  private void unindex(Worker w) {
    if (free.remove(w)) {
      TreeSet<Worker> set = freeByHost.get(w.host);
      if (set != null && set.remove(w) && set.isEmpty()) {
        freeByHost.remove(w.host);
      }
    }
  }

  private void index(Worker w) {
    if (w.free() > 0) {
      free.add(w);
      freeByHost.computeIfAbsent(w.host, h -> new TreeSet<>(PREFERRED)).add(w);
    }
  }

  void heardFrom(String workerId, long now) {
    Worker w = get(workerId);
    if (w != null) {
      w.lastReport = now;
      if (w.lastReport - w.publishedReport >= REPORT_TIME_STEP_MS) {
        dirty = true;
      }
    }
  }

  /** The workers' views, if they changed since the last call (see {@link #EAGER_VIEW_WORKERS}). */
  Optional<List<WorkerView>> drainViews(long now) {
    if (!dirty) {
      return Optional.empty();
    }
    if (!membershipChanged && byId.size() > EAGER_VIEW_WORKERS
        && now - publishedAt < REPORT_TIME_STEP_MS) {
      return Optional.empty();
    }
    dirty = false;
    membershipChanged = false;
    publishedAt = now;
    List<WorkerView> views = new ArrayList<>();
    for (Worker w : byId.values()) {
      w.publishedReport = w.lastReport;
      views.add(new WorkerView(w.id, w.host, w.slots,
          w.running.stream().map(TaskAttemptId::toString).toList(), w.lastReport));
    }
    return Optional.of(views);
  }
}
