package dev.quern.worker.actor;

import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskResult;
import org.apache.pekko.actor.typed.ActorRef;

/** What a worker tells the master. */
public sealed interface WorkerReport {

  /** Sent once when the worker starts: it offers {@code slots} task slots. */
  record Register(String workerId, String host, int slots, ActorRef<WorkerCommand> worker)
      implements WorkerReport {}

  /** The attempt has a slot thread and is starting. */
  record AttemptRunning(TaskAttemptId attempt, String workerId) implements WorkerReport {}

  /** Fraction of the attempt's work done, at most every few hundred milliseconds. */
  record AttemptProgress(TaskAttemptId attempt, float fraction) implements WorkerReport {}

  /**
   * The attempt finished; for an output-writing attempt, after its commit was granted and its
   * directory promoted.
   */
  record AttemptSucceeded(TaskAttemptId attempt, String workerId, TaskResult result)
      implements WorkerReport {}

  /**
   * User code or the task runtime threw.
   *
   * @param message the exception's {@code toString()}
   * @param stackTrace the full stack trace, causes included
   * @param lostOutput when the attempt is a reduce that could not use a map output
   *     ({@code MapOutputLostException}), that output; else null
   */
  record AttemptFailed(TaskAttemptId attempt, String workerId, String message, String stackTrace,
      MapOutputRef lostOutput) implements WorkerReport {}

  /** The attempt stopped without a result: killed, or denied its commit. */
  record AttemptKilled(TaskAttemptId attempt, String workerId, String reason)
      implements WorkerReport {}

  /** A finished output-writing attempt asks whether it may commit (exactly one per task may). */
  record CanCommit(TaskAttemptId attempt, ActorRef<CommitAnswer> replyTo)
      implements WorkerReport {}

  /** The master's answer to {@link CanCommit}. */
  record CommitAnswer(TaskAttemptId attempt, boolean granted, String reason) {}
}
