package dev.quern.master.engine;

import dev.quern.worker.task.TaskAttemptId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strays (attempts a worker's heartbeat says it runs, which the book ended) each worker was
 * told to stop, and when: a worker lists a stray in every heartbeat until the stray has stopped
 * (up to the executor's kill grace), so it is told again only after {@link #RETELL_MS}, in case
 * the kill was lost. Soft state of the leader's scheduler, like the workers themselves.
 */
final class StrayKills {
  /** A stray still listed this long after its kill is told again. */
  static final long RETELL_MS = 10_000;

  private final Map<String, Map<TaskAttemptId, Long>> told = new HashMap<>();

  /**
   * The strays of {@code workerId}'s heartbeat at {@code now} that are to be told to stop now;
   * forgets those it no longer lists (they stopped).
   */
  List<TaskAttemptId> toTell(String workerId, List<TaskAttemptId> strays, long now) {
    Map<TaskAttemptId, Long> before = told.remove(workerId);
    if (strays.isEmpty()) {
      return List.of();
    }
    Map<TaskAttemptId, Long> after = new HashMap<>();
    List<TaskAttemptId> tell = new java.util.ArrayList<>();
    for (TaskAttemptId id : strays) {
      Long at = before == null ? null : before.get(id);
      if (at == null || now - at >= RETELL_MS) {
        tell.add(id);
        at = now;
      }
      after.put(id, at);
    }
    told.put(workerId, after);
    return tell;
  }

  /** The worker is gone (or registers anew): nothing is remembered for it. */
  void forget(String workerId) {
    told.remove(workerId);
  }
}
