package dev.quern.master.http;

import dev.quern.master.http.json.ClusterDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.StateEvent;
import dev.quern.master.http.json.TaskDoc;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the HTTP API reads: a live cluster, a history directory, or both. Implementations build the
 * documents from the engine's own views on every call and keep no copy of the engine's state.
 */
public interface MonitoringSource {

  ClusterDoc cluster();

  /** Every known job, newest submission first. */
  List<JobDoc> jobs();

  Optional<JobDoc> job(String id);

  /** The job's tasks with their attempts, maps first; empty when the job is unknown. */
  Optional<List<TaskDoc>> tasks(String id);

  KillOutcome kill(String id);

  /** As {@link #kill(String)}, with who asked (the job's failure text says it). */
  default KillOutcome kill(String id, String who) {
    return kill(id);
  }

  /**
   * Calls {@code listener} on every job, task and attempt state change until the returned handle
   * is closed. The listener runs on the source's thread and must not block.
   */
  Subscription subscribe(Consumer<StateEvent> listener);

  /** Stops a {@link #subscribe} listener. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
