package dev.quern.master.engine;

import java.util.List;

/** What listeners of a cluster hear: every published change, in the master's order. */
public sealed interface ClusterEvent {

  /** A job changed (state, a task, an attempt, progress); the view is the whole new snapshot. */
  record JobUpdated(JobView job) implements ClusterEvent {}

  /** A worker joined or left, or its running attempts changed. */
  record WorkersUpdated(List<WorkerView> workers) implements ClusterEvent {
    public WorkersUpdated {
      workers = List.copyOf(workers);
    }
  }
}
