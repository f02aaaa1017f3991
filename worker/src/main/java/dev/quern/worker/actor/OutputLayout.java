package dev.quern.worker.actor;

import dev.quern.api.commit.OutputPaths;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.LocalFileSystem;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where attempts write under a job's output directory {@code OUT}: each attempt in {@code
 * OUT/_temporary/<attempt dir>}, each committed attempt in {@code
 * OUT/_temporary/committed/<attempt dir>}.
 * What a commit does with them is the job's {@link dev.quern.api.commit.OutputCommitter}'s.
 */
public final class OutputLayout {
  public static final String TEMPORARY = OutputPaths.TEMPORARY;
  public static final String COMMITTED = OutputPaths.COMMITTED;
  public static final String SUCCESS = OutputPaths.SUCCESS;

  private OutputLayout() {}

  // Paths are strings, not java.nio Paths, so that hdfs://nn:8020/out keeps its "//".

  public static String temporaryDir(String outputPath) {
    return OutputPaths.temporaryDir(outputPath);
  }

  public static String attemptDir(String outputPath, TaskAttemptId attempt) {
    return join(temporaryDir(outputPath), attempt.dirName());
  }

  /** {@code OUT/_temporary/committed}, the parent of every committed task directory. */
  public static String committedRoot(String outputPath) {
    return OutputPaths.committedRoot(outputPath);
  }

  /**
   * {@code OUT/_temporary/committed/<attempt dir>}: where the default committer leaves an
   * attempt's output when it commits (each attempt under its own name; the job commit promotes
   * the one the book records).
   */
  public static String committedDir(String outputPath, TaskAttemptId attempt) {
    return OutputPaths.committedDir(outputPath, attempt.dirName());
  }

  /** See {@link OutputPaths#join}. */
  public static String join(String dir, String name) {
    return OutputPaths.join(dir, name);
  }

  /**
   * Whether the attempt writes files of the job's output (and so must win the commit): reduce
   * attempts, and map attempts of a map-only job. Maps of a job with reducers commit by MapDone.
   */
  public static boolean writesOutput(TaskSpec spec) {
    return spec.id().kind() == TaskKind.REDUCE
        || (spec instanceof MapTaskSpec && spec.job().reduceTasks() == 0);
  }

  /** See {@link OutputPaths#createUnderTemporary}. */
  public static void createUnderTemporary(FileSystem fs, String dir) throws IOException {
    OutputPaths.createUnderTemporary(fs, dir);
  }

  /** Deletes a file or a directory tree; a missing path is fine (every caller is idempotent). */
  public static void deleteTree(Path root) throws IOException {
    LocalFileSystem.deleteTree(root);
  }
}
