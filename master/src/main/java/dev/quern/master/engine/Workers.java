package dev.quern.master.engine;

import dev.quern.worker.task.TaskAttemptId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The live workers as the {@link Scheduler} sees them (soft state, not in the book): slots, the
 * attempts each runs, when each was last heard from; and whether their published view is stale.
 */
final class Workers {
  /** Progress reports come every few hundred ms; the worker list is republished at most 1/s. */
  private static final long REPORT_TIME_STEP_MS = 1_000;

  static final class Worker {
    final String id;
    final String host;
    final int slots;
    final Set<TaskAttemptId> running = new LinkedHashSet<>();
    /** Epoch millis of the last message heard from the worker, and of the last one published. */
    long lastReport;
    long publishedReport;

    Worker(String id, String host, int slots, long now) {
      this.id = id;
      this.host = host;
      this.slots = slots;
      this.lastReport = now;
      this.publishedReport = now;
    }

    int free() {
      return slots - running.size();
    }
  }

  private final Map<String, Worker> byId = new LinkedHashMap<>();
  private boolean dirty;

  void register(String id, String host, int slots, long now) {
    byId.put(id, new Worker(id, host, slots, now));
    dirty = true;
  }

  /** The worker that was removed, or null. */
  Worker remove(String id) {
    Worker w = byId.remove(id);
    dirty |= w != null;
    return w;
  }

  Worker get(String id) {
    return id == null ? null : byId.get(id);
  }

  /** The worker with the most free slots (the first registered among equals), or null. */
  Worker freest(String excluded) {
    Worker best = null;
    for (Worker w : byId.values()) {
      if (w.free() > 0 && !w.id.equals(excluded) && (best == null || w.free() > best.free())) {
        best = w;
      }
    }
    return best;
  }

  void started(Worker w, TaskAttemptId attempt) {
    w.running.add(attempt);
    dirty = true;
  }

  /** Frees the attempt's slot; whether the worker was running it. */
  boolean release(String workerId, TaskAttemptId attempt) {
    Worker w = get(workerId);
    if (w != null && w.running.remove(attempt)) {
      dirty = true;
      return true;
    }
    return false;
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

  /** The workers' views, if they changed since the last call. */
  Optional<List<WorkerView>> drainViews() {
    if (!dirty) {
      return Optional.empty();
    }
    dirty = false;
    List<WorkerView> views = new ArrayList<>();
    for (Worker w : byId.values()) {
      w.publishedReport = w.lastReport;
      views.add(new WorkerView(w.id, w.host, w.slots,
          w.running.stream().map(TaskAttemptId::toString).toList(), w.lastReport));
    }
    return Optional.of(views);
  }
}
