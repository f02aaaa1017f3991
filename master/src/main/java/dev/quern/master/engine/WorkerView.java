package dev.quern.master.engine;

import java.util.List;

/**
 * One live worker, for monitoring: its slots and the attempts running on them.
 *
 * @param lastReportTime epoch milliseconds of the last message the master heard from the worker
 *     (its registration or a report about one of its attempts), to within a second
 */
public record WorkerView(String workerId, String host, int slots, List<String> runningAttempts,
    long lastReportTime) {
  public WorkerView {
    runningAttempts = List.copyOf(runningAttempts);
  }
}
