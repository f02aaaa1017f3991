package dev.quern.worker.actor;

import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
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

  // Paths are strings, not java.nio Paths, so that hdfs://nn:8020/out keeps its "//".

  public static String temporaryDir(String outputPath) {
    return join(outputPath, TEMPORARY);
  }

  public static String attemptDir(String outputPath, TaskAttemptId attempt) {
    return join(temporaryDir(outputPath), attempt.dirName());
  }

  /** {@code OUT/_temporary/committed}, the parent of every committed task directory. */
  public static String committedRoot(String outputPath) {
    return join(temporaryDir(outputPath), COMMITTED);
  }

  public static String committedDir(String outputPath, String taskName) {
    return join(committedRoot(outputPath), taskName);
  }

  /**
   * A child of a directory on any filesystem: a local one spelled as {@code Path.resolve} spells
   * it (a {@code file:} URI becomes a plain path), any other joined with {@code /}.
   */
  public static String join(String dir, String name) {
    if (FileSystems.isLocal(dir)) {
      return LocalFileSystem.toPath(dir).resolve(name).toString();
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
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
  public static void createUnderTemporary(FileSystem fs, String dir) throws IOException {
    String parent = parent(dir);
    if (!fs.exists(parent) || !fs.status(parent).directory()) {
      throw new NoSuchFileException(parent, null,
          "the job's temporary output directory is gone (the job has ended)");
    }
    fs.mkdirs(dir);
  }

  /** The parent directory of a path on any filesystem, spelled as {@link #join} spells it. */
  static String parent(String path) {
    if (FileSystems.isLocal(path)) {
      return LocalFileSystem.toPath(path).getParent().toString();
    }
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(0, p.lastIndexOf('/'));
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
