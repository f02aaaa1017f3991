package dev.quern.worker.actor;

import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;

/**
 * The task side of the output commit: after the master granted it, an attempt's directory
 * becomes the task's committed directory by one rename; a denied attempt deletes its directory.
 * The output may be on any filesystem ({@link FileSystems}); the rename of a directory is atomic
 * on a local disk and on HDFS.
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
    String work = spec.outputWorkDir();
    String target = OutputLayout.committedDir(out, spec.id().taskName());
    FileSystem fs = FileSystems.get(work, spec.job().configuration());
    OutputLayout.createUnderTemporary(fs, OutputLayout.committedRoot(out));
    if (!fs.exists(work)) {
      OutputLayout.createUnderTemporary(fs, work);
    }
    fs.delete(target);
    fs.rename(work, target);
  }

  static void discard(TaskSpec spec) throws IOException {
    FileSystems.get(spec.outputWorkDir(), spec.job().configuration())
        .delete(spec.outputWorkDir());
  }
}
