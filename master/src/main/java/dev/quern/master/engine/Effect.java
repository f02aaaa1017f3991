package dev.quern.master.engine;

import dev.quern.master.commit.SuccessFile;
import dev.quern.worker.actor.WorkerReport.CanCommit;
import dev.quern.worker.actor.WorkerReport.CommitAnswer;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Scheduler} decided that is not a change of the book: messages to workers and
 * file work. The {@link EffectExecutor} carries them out in the order given.
 */
public sealed interface Effect {

  /** Send the attempt to the worker. */
  record RunTask(String workerId, TaskSpec spec) implements Effect {}

  /** Tell the worker to stop the attempt. */
  record KillTask(String workerId, TaskAttemptId attempt, String reason) implements Effect {}

  /**
   * Tell the worker that the map outputs its running reduce attempt reads changed: {@code added}
   * exist now (a map finished after the reduce started, by slow start), {@code withdrawn} map
   * attempts' outputs are lost and their maps run again.
   */
  record MapOutputsChanged(String workerId, TaskAttemptId attempt, List<MapOutputRef> added,
      List<TaskAttemptId> withdrawn) implements Effect {
    public MapOutputsChanged {
      added = List.copyOf(added);
      withdrawn = List.copyOf(withdrawn);
    }
  }

  /** Answer a worker's {@code CanCommit} (after the grant, if any, is in the book). */
  record AnswerCommit(CanCommit request, CommitAnswer answer) implements Effect {}

  /**
   * Remove the output's {@code _temporary} now, before the job's end is published, so that a
   * FAILED or KILLED job never shows one.
   */
  record AbortJob(String jobId, String outputPath) implements Effect {}

  /** In the background: remove what a straggler attempt of an ended job may have left. */
  record CleanUp(String jobId, String outputPath, Path scratch) implements Effect {}

  /**
   * In the background: move the committed task output into place and write {@code _SUCCESS}
   * (times and counters from {@code success}, the end time read when done), then delete the
   * scratch directory; the result comes back as {@link MasterCommand.JobCommitFinished}.
   *
   * @param committedAttempts the attempt of record of each task whose files are the job's output
   *     (task name to the attempt's work directory name, {@code r-00002 -> r-00002_3}): the only
   *     attempts the commit promotes
   */
  record CommitJob(String jobId, String outputPath, SuccessFile success, Path scratch,
      Map<String, String> committedAttempts) implements Effect {}
}
