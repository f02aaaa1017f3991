package dev.quern.worker.actor;

import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where attempts write under a job's output directory {@code OUT}: each attempt in {@code
 * OUT/_temporary/<attempt dir>}, each committed task in {@code OUT/_temporary/committed/<task>}.
 * The commit protocol itself is described in {@code dev.quern.master.commit.JobCommitter}.
 */
public final class OutputLayout {
  public static final String TEMPORARY = "_temporary";
  public static final String COMMITTED = "committed";
  public static final String SUCCESS = "_SUCCESS";

  private OutputLayout() {}

  public static Path temporaryDir(String outputPath) {
    return Path.of(outputPath).resolve(TEMPORARY);
  }

  public static Path attemptDir(String outputPath, TaskAttemptId attempt) {
    return temporaryDir(outputPath).resolve(attempt.dirName());
  }

  public static Path committedDir(String outputPath, String taskName) {
    return temporaryDir(outputPath).resolve(COMMITTED).resolve(taskName);
  }

  /**
   * Whether the attempt writes files of the job's output (and so must win the commit): reduce
   * attempts, and map attempts of a map-only job. Maps of a job with reducers commit by MapDone.
   */
  public static boolean writesOutput(TaskSpec spec) {
    return spec.id().kind() == TaskKind.REDUCE
        || (spec instanceof MapTaskSpec && spec.job().reduceTasks() == 0);
  }

  /**
   * Creates {@code dir} (an attempt's directory, or {@code committed}) inside an existing {@code
   * OUT/_temporary}: an attempt of a job that has ended, whose output the master removed, must
   * not bring the directory back.
   */
  public static void createUnderTemporary(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (!Files.isDirectory(parent)) {
      throw new NoSuchFileException(parent.toString(), null,
          "the job's temporary output directory is gone (the job has ended)");
    }
    Files.createDirectories(dir);
  }

  /** Deletes a file or a directory tree; a missing path is fine (every caller is idempotent). */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
