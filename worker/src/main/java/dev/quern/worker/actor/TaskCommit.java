package dev.quern.worker.actor;

import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The task side of the output commit: after the master granted it, an attempt's directory
 * becomes the task's committed directory by one rename; a denied attempt deletes its directory.
 */
final class TaskCommit {
  private TaskCommit() {}

  /**
   * Renames {@code OUT/_temporary/<attempt>} to {@code OUT/_temporary/committed/<task>}. Only the
   * grant holder calls this, so a committed directory already there was left by an earlier grant
   * holder that was lost before it reported: it is replaced.
   */
  static void promote(TaskSpec spec) throws IOException {
    String out = spec.job().outputPath();
    Path work = Path.of(spec.outputWorkDir());
    Path target = OutputLayout.committedDir(out, spec.id().taskName());
    OutputLayout.createUnderTemporary(target.getParent());
    if (!Files.exists(work)) {
      OutputLayout.createUnderTemporary(work);
    }
    OutputLayout.deleteTree(target);
    Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
  }

  static void discard(TaskSpec spec) throws IOException {
    OutputLayout.deleteTree(Path.of(spec.outputWorkDir()));
  }
}
