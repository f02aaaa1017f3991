package dev.quern.worker.task;

/**
 * Names one attempt of one task, e.g. {@code job-0001/m-00003/2} (third map task, second
 * attempt). Attempts count from 1.
 */
public record TaskAttemptId(String jobId, TaskKind kind, int taskIndex, int attempt) {

  /** The task part, e.g. {@code m-00003}; also the suffix of the task's part file. */
  public String taskName() {
    return name(kind, taskIndex);
  }

  /** A name safe for a directory, e.g. {@code m-00003_2}. */
  public String dirName() {
    return taskName() + "_" + attempt;
  }

  @Override
  public String toString() {
    return jobId + "/" + taskName() + "/" + attempt;
  }

  /**
   * Reads {@link #toString()}'s form back, e.g. {@code job-0001/r-00000/2}; null if {@code text}
   * is not of that form (it comes from another process: a worker's heartbeat lists its attempts
   * so).
   */
  public static TaskAttemptId parse(String text) {
    int last = text == null ? -1 : text.lastIndexOf('/');
    int task = last <= 0 ? -1 : text.lastIndexOf('/', last - 1);
    if (task <= 0 || task + 3 >= last) {
      return null;
    }
    TaskKind kind = switch (text.charAt(task + 1)) {
      case 'm' -> TaskKind.MAP;
      case 'r' -> TaskKind.REDUCE;
      default -> null;
    };
    if (kind == null || text.charAt(task + 2) != '-') {
      return null;
    }
    try {
      int index = Integer.parseInt(text.substring(task + 3, last));
      int attempt = Integer.parseInt(text.substring(last + 1));
      return index < 0 || attempt < 1 ? null
          : new TaskAttemptId(text.substring(0, task), kind, index, attempt);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A task's name, e.g. {@code m-00042}: what {@code String.format("%c-%05d", ...)} gives, without
   * its parsing (the master names every task of a job in each view it builds).
   */
  public static String name(TaskKind kind, int index) {
    String digits = Integer.toString(index);
    StringBuilder b = new StringBuilder(2 + Math.max(5, digits.length()));
    b.append(kind.letter()).append('-');
    for (int i = digits.length(); i < 5; i++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }
}
