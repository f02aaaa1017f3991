package dev.quern.master.commit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quern.api.Configuration;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import dev.quern.worker.actor.OutputLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The job side of Quern's output commit, in the style of Hadoop's v1 file output committer.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * OUT/                                  created when the job is accepted
 * OUT/_temporary/                       everything uncommitted
 * OUT/_temporary/.created-output        there when the job created OUT (it did not exist before)
 * OUT/_temporary/r-00002_1/             attempt 1 of reduce 2 writes here (TaskSpec.outputWorkDir)
 * OUT/_temporary/committed/r-00002/     the one committed attempt of reduce 2
 * OUT/part-r-00002 ...                  after the job commit
 * OUT/_SUCCESS                          JSON: job id, name, user, counters, times; written last
 * </pre>
 *
 * Map attempts of a job with reduce tasks write no job output: their sorted output goes to a
 * scratch directory under the cluster's work dir, and the master's {@code MapDone} event is their
 * commit (the first MapDone of a task wins; a later attempt's output is ignored).
 *
 * <h2>Protocol</h2>
 *
 * <pre>
 * master, on JobAccepted:          mkdir -p OUT/_temporary                       (setupJob)
 *                                  (and mark it when OUT was created here)
 * attempt A of task T (worker):    run the task, writing into OUT/_temporary/A/
 *                                  ask master CanCommit(A)
 * master, on CanCommit(A):         if job live and T not done and (grant(T) == none or == A):
 *                                      if grant(T) == none: append CommitGranted(A)  (before answering)
 *                                      answer yes
 *                                  else answer no
 * attempt A, on yes:               rm -r OUT/_temporary/committed/T   (a lost earlier holder's)
 *                                  rename OUT/_temporary/A -> OUT/_temporary/committed/T
 *                                  report success
 * attempt A, on no:                rm -r OUT/_temporary/A; report killed ("commit denied")
 * master, on success of A:         append TaskCommitted(A, counters)
 * master, when every task is done: append JobCommitting
 *                                  for each OUT/_temporary/committed/T/f: rename f -> OUT/f
 *                                  rm -r OUT/_temporary
 *                                  write OUT/_SUCCESS (to a temp name, then rename)
 *                                  append JobSucceeded
 * master, on JobFailed/JobKilled:  rm -r OUT if marked as created by the job, else
 *                                  rm -r OUT/_temporary (again whenever a straggler reports)
 * </pre>
 *
 * <h2>Failure cases</h2>
 *
 * <ul>
 *   <li>Two attempts of T finish (speculation, or a lost worker that was not dead): the first
 *       CanCommit wins; the other is denied and deletes its directory. Only one directory is ever
 *       promoted for T.
 *   <li>The grant holder fails or its worker is lost before TaskCommitted: its AttemptFailed or
 *       AttemptKilled releases the grant, a new attempt runs and may be granted. If the old holder
 *       had already renamed its directory, the new holder replaces {@code committed/T} (rename is
 *       atomic, so {@code committed/T} is always one whole attempt's output).
 *   <li>The master dies during the job commit: the log ends in JobCommitting, so the new master
 *       runs {@link #commitJob} again. Every step is idempotent: files already moved are no
 *       longer in {@code committed/T}, a missing {@code _temporary} is fine, and {@code _SUCCESS}
 *       is rewritten whole.
 *   <li>Two tasks write the same file name: the commit fails (naming the file) rather than lose
 *       one of them; the job fails.
 *   <li>A failed or killed job: no part file appears. When the job created OUT, OUT is removed
 *       whole, so the same command can run again; a directory that existed before the job (an
 *       output format that accepts one) keeps everything but {@code _temporary}. An attempt still
 *       writing when the job ended writes into files already unlinked, or fails to create its
 *       directory (attempts create only their own directory, under an existing {@code
 *       _temporary}); what it may leave is removed again when that attempt reports.
 * </ul>
 *
 * <h2>Filesystems</h2>
 *
 * OUT may be local or on any filesystem of {@link FileSystems} ({@code hdfs://nn:8020/out}); the
 * same steps run through its {@link FileSystem}. The guarantees rest on one property: the rename
 * of a directory (task commit) is atomic, as on a local disk and on HDFS. On a store without
 * atomic directory rename (object stores), a crash inside a task commit can leave a partial
 * {@code committed/T}; use this protocol only where rename is atomic. Hadoop settings come from
 * the job's {@code quern.hadoop.*} entries when the caller passes its configuration.
 */
public final class JobCommitter {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JobCommitter() {}

  /** Marks a job's {@code _temporary} when the job created OUT itself. */
  static final String CREATED_MARK = ".created-output";

  /**
   * Creates {@code OUT/_temporary}; fine if it exists. When OUT itself did not exist, marks the
   * job as its creator, so that {@link #abortJob} removes it whole.
   */
  public static void setupJob(String outputPath) throws IOException {
    setupJob(outputPath, Configuration.empty());
  }

  /** As {@link #setupJob(String)}, with the job's configuration (Hadoop settings). */
  public static void setupJob(String outputPath, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.get(outputPath, conf);
    boolean created = !fs.exists(outputPath);
    String tmp = OutputLayout.temporaryDir(outputPath);
    fs.mkdirs(tmp);
    if (created) {
      fs.create(fs.child(tmp, CREATED_MARK)).close();
    }
  }

  /**
   * Moves every committed task's files into OUT, removes {@code _temporary} and writes
   * {@code _SUCCESS}. Safe to run again after a crash at any point.
   */
  public static void commitJob(String outputPath, SuccessFile success) throws IOException {
    commitJob(outputPath, success, Configuration.empty());
  }

  /** As {@link #commitJob(String, SuccessFile)}, with the job's configuration. */
  public static void commitJob(String outputPath, SuccessFile success, Configuration conf)
      throws IOException {
    FileSystem fs = FileSystems.get(outputPath, conf);
    String committed = OutputLayout.committedRoot(outputPath);
    List<String> moved = new ArrayList<>();
    try {
      if (fs.exists(committed)) {
        for (FileStatus taskDir : fs.list(committed)) {
          for (FileStatus file : fs.list(taskDir.path())) {
            String target = OutputLayout.join(outputPath, file.name());
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
      // The job will fail: a failed job leaves no part file, so take back what this run moved.
      for (String p : moved) {
        try {
          fs.delete(p);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    fs.delete(OutputLayout.temporaryDir(outputPath));
    String tmp = OutputLayout.join(outputPath, "." + OutputLayout.SUCCESS + ".tmp");
    String target = OutputLayout.join(outputPath, OutputLayout.SUCCESS);
    if (fs instanceof LocalFileSystem) {
      Path local = LocalFileSystem.toPath(tmp);
      JSON.writeValue(local.toFile(), success);
      Files.move(local, LocalFileSystem.toPath(target), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    // No atomic replace through the interface: a rerun (after a crash) rewrites it whole.
    fs.delete(tmp);
    try (OutputStream o = fs.create(tmp)) {
      o.write(JSON.writeValueAsBytes(success));
    }
    fs.delete(target);
    fs.rename(tmp, target);
  }

  /**
   * Removes what the job wrote: OUT whole when the job created it, else {@code OUT/_temporary}
   * (OUT and what it held before stay).
   */
  public static void abortJob(String outputPath) throws IOException {
    abortJob(outputPath, Configuration.empty());
  }

  /** As {@link #abortJob(String)}, with the job's configuration. */
  public static void abortJob(String outputPath, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.get(outputPath, conf);
    String tmp = OutputLayout.temporaryDir(outputPath);
    if (fs.exists(fs.child(tmp, CREATED_MARK))) {
      fs.delete(outputPath);
    } else {
      fs.delete(tmp);
    }
  }

  /** Reads a {@code _SUCCESS} file back. */
  public static SuccessFile readSuccess(Path file) throws IOException {
    return JSON.readValue(file.toFile(), SuccessFile.class);
  }

  /** Reads a {@code _SUCCESS} file back from any filesystem. */
  public static SuccessFile readSuccess(String file, Configuration conf) throws IOException {
    try (var in = FileSystems.get(file, conf).open(file, 0)) {
      return JSON.readValue(in, SuccessFile.class);
    }
  }
}
