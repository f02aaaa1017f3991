package dev.quern.api.commit;

import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The default committer, in the style of Hadoop's v1 file output committer: a task commits by
 * renaming its attempt's directory to {@code OUT/_temporary/committed/<attempt>} (the attempt's
 * own name, e.g. {@code committed/r-00002_1}), and the job commit renames the files of the one
 * attempt per task that the master's book records as committed ({@link
 * JobCommitContext#committedAttempts}) into OUT and removes {@code _temporary}.
 *
 * <p>Its guarantees (no file from a losing attempt, never part of an attempt's output, one whole
 * output or none) rest on the rename of a directory being atomic, which holds on a local disk and
 * on HDFS. On a store without atomic directory rename (object stores such as S3, even through a
 * Hadoop connector, where a rename is a copy of each file), a crash in the middle of a task commit
 * can leave part of an attempt's files in {@code committed/<attempt>}, and the job commit would
 * promote them: use {@link ManifestOutputCommitter} there.
 *
 * <pre>{@code
 * Job.builder("wc").set(OutputCommitters.KEY, "rename")   // the default
 * }</pre>
 */
public class RenameOutputCommitter implements OutputCommitter {

  @Override
  public void setupJob(JobCommitContext job) throws IOException {
    OutputPaths.setupJob(job);
  }

  /**
   * Renames {@code OUT/_temporary/<attempt>} to {@code OUT/_temporary/committed/<attempt>}. Each
   * attempt has its own name there, so this never replaces another attempt's committed output:
   * an attempt that was declared lost and commits late (a zombie) only adds a directory that the
   * job commit does not promote. The same attempt committing again finds its directory moved and
   * does nothing.
   */
  @Override
  public void commitTask(TaskCommitContext task) throws IOException {
    FileSystem fs = task.fs();
    String root = OutputPaths.committedRoot(task.outputPath());
    String target = OutputPaths.committedDir(task.outputPath(), task.attemptName());
    OutputPaths.createUnderTemporary(fs, root);
    boolean work = fs.exists(task.workDir());
    if (!work && fs.exists(target)) {
      return; // committed already, by this same attempt
    }
    if (!work) {
      OutputPaths.createUnderTemporary(fs, task.workDir()); // the attempt wrote nothing
    }
    fs.delete(target); // a half-done earlier commit of this attempt (a store without atomic rename)
    fs.rename(task.workDir(), target);
  }

  @Override
  public void abortTask(TaskCommitContext task) throws IOException {
    task.fs().delete(task.workDir());
  }

  /**
   * Moves the committed attempts' files into OUT and removes {@code _temporary} (the steps around
   * the move are {@link OutputPaths#commitJob}'s). The attempts moved are those that {@link
   * JobCommitContext#committedAttempts} names; anything else under {@code _temporary} (a zombie
   * attempt's committed directory, a denied attempt's leftovers) is removed with it. When the map
   * is null (a caller that does not know the book), every directory under {@code committed/} is
   * moved, and two attempts of one task there fail the commit as two tasks writing one name.
   *
   * <p>Safe to run again after a crash at any point: files already moved are no longer in their
   * attempt's directory, and the emptied directory stays until {@code _temporary} goes, so a
   * committed attempt whose directory is missing is an error, raised before anything moves, that
   * names the task and the directory. Two tasks that wrote the same name fail the commit, naming
   * the file, and what this run moved is taken back (a failed job leaves no part file).
   */
  @Override
  public void commitJob(JobCommitContext job) throws IOException {
    OutputPaths.commitJob(job, fs -> promote(fs, job));
  }

  private static void promote(FileSystem fs, JobCommitContext job) throws IOException {
    String out = job.outputPath();
    List<String> dirs = attemptDirs(fs, job);
    List<String> moved = new ArrayList<>();
    try {
      for (String dir : dirs) {
        for (FileStatus file : fs.list(dir)) {
          String target = OutputPaths.join(out, file.name());
          if (fs.exists(target)) {
            throw new IOException("two tasks wrote " + target + " (the second from " + dir + ")");
          }
          OutputPaths.stopIfInterrupted(job);
          fs.rename(file.path(), target);
          moved.add(target);
        }
      }
    } catch (IOException | RuntimeException e) {
      takeBack(fs, moved, e);
      throw e;
    }
  }

  /** The committed directories to promote, each checked to be there. */
  private static List<String> attemptDirs(FileSystem fs, JobCommitContext job)
      throws IOException {
    String out = job.outputPath();
    String root = OutputPaths.committedRoot(out);
    List<String> dirs = new ArrayList<>();
    if (!job.knowsCommittedAttempts()) {
      if (fs.exists(root)) {
        for (FileStatus s : fs.list(root)) {
          if (s.directory()) {
            dirs.add(s.path());
          }
        }
      }
      return dirs;
    }
    for (Map.Entry<String, String> e : job.committedAttempts().entrySet()) {
      String dir = OutputPaths.committedDir(out, e.getValue());
      if (!fs.exists(dir)) {
        throw new FileNotFoundException("task " + e.getKey() + " committed attempt "
            + e.getValue() + ", but its committed output " + dir + " is missing");
      }
      dirs.add(dir);
    }
    return dirs;
  }

  /**
   * Undoes this run's moves after a failure that fails the job (two tasks wrote one name), so a
   * failed job leaves no part file; not after a stop ({@link OutputPaths#stopIfInterrupted}),
   * whose moves a rerun completes.
   */
  static void takeBack(FileSystem fs, List<String> moved, Exception e) {
    if (OutputPaths.stopped(e)) {
      return;
    }
    for (String p : moved) {
      try {
        fs.delete(p);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
  }

  @Override
  public void abortJob(JobCommitContext job) throws IOException {
    OutputPaths.abortJob(job);
  }
}
