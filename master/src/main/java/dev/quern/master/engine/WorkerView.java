package dev.quern.master.engine;

import java.util.List;

/** One live worker, for monitoring: its slots and the attempts running on them. */
public record WorkerView(String workerId, String host, int slots, List<String> runningAttempts) {
  public WorkerView {
    runningAttempts = List.copyOf(runningAttempts);
  }
}
