package dev.quern.api.commit;

import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The default committer, in the style of Hadoop's v1 file output committer: a task commits by
 * renaming its attempt's directory to {@code OUT/_temporary/committed/<task>}, and the job commit
 * renames each committed file into OUT and removes {@code _temporary}.
 *
 * <p>Its guarantees (no file from a losing attempt, never part of an attempt's output, one whole
 * output or none) rest on the rename of a directory being atomic, which holds on a local disk and
 * on HDFS. On a store without atomic directory rename (object stores such as S3, even through a
 * Hadoop connector, where a rename is a copy of each file), a crash in the middle of a task commit
 * can leave part of an attempt's files in {@code committed/<task>}, and the job commit would
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
   * Renames {@code OUT/_temporary/<attempt>} to {@code OUT/_temporary/committed/<task>}. Only the
   * grant holder calls this, so a committed directory already there was left by an earlier grant
   * holder that was lost before it reported: it is replaced.
   */
  @Override
  public void commitTask(TaskCommitContext task) throws IOException {
    FileSystem fs = task.fs();
    String root = OutputPaths.committedRoot(task.outputPath());
    String target = OutputPaths.join(root, task.taskName());
    OutputPaths.createUnderTemporary(fs, root);
    if (!fs.exists(task.workDir())) {
      OutputPaths.createUnderTemporary(fs, task.workDir());
    }
    fs.delete(target);
    fs.rename(task.workDir(), target);
  }

  @Override
  public void abortTask(TaskCommitContext task) throws IOException {
    task.fs().delete(task.workDir());
  }

  /**
   * Moves every committed task's files into OUT and removes {@code _temporary}. Safe to run again
   * after a crash at any point: files already moved are no longer in {@code committed/<task>}.
   * Two tasks that wrote the same name fail the commit, naming the file, and what this run moved
   * is taken back (a failed job leaves no part file).
   */
  @Override
  public void commitJob(JobCommitContext job) throws IOException {
    FileSystem fs = job.fs();
    String out = job.outputPath();
    String committed = OutputPaths.committedRoot(out);
    List<String> moved = new ArrayList<>();
    try {
      if (fs.exists(committed)) {
        for (FileStatus taskDir : fs.list(committed)) {
          for (FileStatus file : fs.list(taskDir.path())) {
            String target = OutputPaths.join(out, file.name());
            if (fs.exists(target)) {
              throw new IOException("two tasks wrote " + target + " (the second from "
                  + taskDir.path() + ")");
            }
            fs.rename(file.path(), target);
            moved.add(target);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      takeBack(fs, moved, e);
      throw e;
    }
    fs.delete(OutputPaths.temporaryDir(out));
  }

  static void takeBack(FileSystem fs, List<String> moved, Exception e) {
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
