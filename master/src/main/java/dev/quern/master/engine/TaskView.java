package dev.quern.master.engine;

import dev.quern.worker.task.TaskKind;
import java.util.List;

/**
 * One task, for monitoring.
 *
 * @param name e.g. {@code m-00003}
 * @param input what the task reads: the split for a map, the partition for a reduce
 * @param committedAttempt the attempt whose work counts, or null
 * @param mapOutputFile for a done map of a job with reduce tasks, its output's data file; else
 *     null
 */
public record TaskView(String name, TaskKind kind, int index, TaskState state, double progress,
    String input, String committedAttempt, String mapOutputFile, List<AttemptView> attempts) {

  public TaskView {
    attempts = List.copyOf(attempts);
  }
}
