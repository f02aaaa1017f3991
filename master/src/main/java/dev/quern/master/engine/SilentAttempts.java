package dev.quern.master.engine;

import dev.quern.worker.task.TaskAttemptId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running attempts of one live job in the order they were last heard from, oldest first, so
 * that the timeout check looks only at the attempts that did time out plus one. Times come in
 * the order of the inputs, so moving a heard attempt to the end keeps the order.
 */
final class SilentAttempts {
  private final LinkedHashMap<TaskAttemptId, Long> lastHeard = new LinkedHashMap<>();

  void heard(TaskAttemptId id, long time) {
    Long before = lastHeard.remove(id);
    // A report older than the last one heard (a clock step back) never makes it look younger.
    lastHeard.put(id, before == null ? time : Math.max(before, time));
  }

  /** Like {@link #heard}, only for an attempt already here. */
  void heardIfRunning(TaskAttemptId id, long time) {
    if (lastHeard.containsKey(id)) {
      heard(id, time);
    }
  }

  void remove(TaskAttemptId id) {
    lastHeard.remove(id);
  }

  /** The attempt heard from longest ago and when, or null when none runs. */
  Map.Entry<TaskAttemptId, Long> oldest() {
    Iterator<Map.Entry<TaskAttemptId, Long>> it = lastHeard.entrySet().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Map.Entry<TaskAttemptId, Long> e = it.next();
    return Map.entry(e.getKey(), e.getValue());
  }

  int size() {
    return lastHeard.size();
  }
}
