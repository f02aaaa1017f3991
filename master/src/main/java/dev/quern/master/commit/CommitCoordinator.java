package dev.quern.master.commit;

import dev.quern.master.engine.BookAttempt;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.BookTask;
import dev.quern.worker.task.TaskAttemptId;

/**
 * Decides a {@code CanCommit} request from the book alone: exactly one attempt per task may
 * commit, the first to ask. The master records {@code CommitGranted} before it answers yes.
 */
public final class CommitCoordinator {
  private CommitCoordinator() {}

  /**
   * @param grant whether the attempt may commit
   * @param record whether the grant is new and must be recorded (CommitGranted) before answering
   * @param reason why not, when denied
   */
  public record Decision(boolean grant, boolean record, String reason) {}

  public static Decision decide(BookJob job, TaskAttemptId attempt) {
    if (job == null) {
      return new Decision(false, false, "unknown job " + attempt.jobId());
    }
    if (job.state().isFinal()) {
      return new Decision(false, false, "job " + job.id() + " ended " + job.state());
    }
    BookTask task = job.task(attempt);
    BookAttempt a = job.attempt(attempt);
    if (task == null || a == null) {
      return new Decision(false, false, "unknown attempt " + attempt);
    }
    if (!a.isRunning()) {
      return new Decision(false, false, "attempt " + attempt + " already ended " + a.state());
    }
    if (task.isDone()) {
      return new Decision(false, false,
          "task " + task.name() + " was committed by " + task.committedAttempt());
    }
    if (task.grantedAttempt() == null) {
      return new Decision(true, true, null);
    }
    if (task.grantedAttempt().equals(attempt)) {
      return new Decision(true, false, null);
    }
    return new Decision(false, false,
        "task " + task.name() + " is being committed by " + task.grantedAttempt());
  }
}
