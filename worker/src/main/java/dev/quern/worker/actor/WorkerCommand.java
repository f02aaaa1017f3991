package dev.quern.worker.actor;

import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskSpec;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a worker actor hears: from the master, and from its own slot threads. */
public sealed interface WorkerCommand {

  /** Run one attempt in a free slot; every report about it goes to {@code replyTo}. */
  record RunTask(TaskSpec spec, ActorRef<WorkerReport> replyTo) implements WorkerCommand {}

  /** Interrupt the attempt's thread; the worker answers with {@link WorkerReport.AttemptKilled}. */
  record KillTask(TaskAttemptId attempt, String reason) implements WorkerCommand {}

  /**
   * The map outputs a running reduce attempt reads changed: {@code added} exist now (maps that
   * finished after it started, by slow start, or ran again), {@code withdrawn} map attempts'
   * outputs are gone (their maps run again). For an attempt that is not running here, nothing.
   */
  record MapOutputsChanged(TaskAttemptId attempt, List<MapOutputRef> added,
      List<TaskAttemptId> withdrawn) implements WorkerCommand {
    public MapOutputsChanged {
      added = List.copyOf(added);
      withdrawn = List.copyOf(withdrawn);
    }
  }

  /** Stop the worker: running attempts are interrupted and not reported. */
  record Stop() implements WorkerCommand {}

  /** A slot thread finished an attempt; the actor frees the slot and forwards the report. */
  record AttemptEnded(TaskAttemptId attempt, WorkerReport report) implements WorkerCommand {}
}
