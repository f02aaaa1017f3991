package dev.quern.master.commit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quern.api.Configuration;
import dev.quern.api.JobSpec;
import dev.quern.api.commit.JobCommitContext;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;

/**
 * The job side of Quern's output commit. The master coordinates (one grant per task, recorded
 * before it is answered); what a commit does with files is the job's {@link OutputCommitter}'s,
 * which its output format supplies ({@link MasterCommitters}). Below is the default one, {@link
 * dev.quern.api.commit.RenameOutputCommitter}, in the style of Hadoop's v1 file output committer;
 * every job step gets the job's configuration, so {@code quern.hadoop.*} settings reach the
 * output's filesystem.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * OUT/                                  created when the job is accepted
 * OUT/_temporary/                       everything uncommitted
 * OUT/_temporary/.created-output        there when the job created OUT (it did not exist before)
 * OUT/_temporary/r-00002_1/             attempt 1 of reduce 2 writes here (TaskSpec.outputWorkDir)
 * OUT/_temporary/committed/r-00002_1/   attempt 1 of reduce 2, committed (named by the attempt)
 * OUT/_temporary/committed/r-00002_3/   attempt 3 of reduce 2, committed too (a zombie: see below)
 * OUT/_temporary.promoted               during the job commit only: every file is in OUT
 * OUT/part-r-00002 ...                  after the job commit
 * OUT/_SUCCESS                          JSON: job id, name, user, counters, times; written last
 * </pre>
 *
 * The output of a task is written by its reduce attempts, or by its map attempts in a job without
 * reduces (local mode and cluster mode alike). Map attempts of a job with reduce tasks write no
 * job output: their sorted output goes to a scratch directory under the cluster's work dir, and
 * the master's {@code MapDone} event is their commit (the first MapDone of a task wins; a later
 * attempt's output is ignored).
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
 * attempt A, on yes:               rename OUT/_temporary/A -> OUT/_temporary/committed/A
 *                                  report success
 * attempt A, on no:                rm -r OUT/_temporary/A; report killed ("commit denied")
 * master, on success of A:         append TaskCommitted(A, counters)   (A is T's attempt of record)
 * master, when every task is done: append JobCommitting
 *                                  C = {T -> A : TaskCommitted(A) in the book}   (Effect.CommitJob)
 *                                  if OUT/_temporary.promoted is absent and OUT/_temporary exists:
 *                                      fail unless committed/A exists for every A in C
 *                                      for each A in C, each OUT/_temporary/committed/A/f:
 *                                          rename f -> OUT/f   (the emptied committed/A stays)
 *                                      create OUT/_temporary.promoted
 *                                  rm -r OUT/_temporary      (zombies' and losers' dirs with it)
 *                                  rm OUT/_temporary.promoted
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
 *       had renamed its directory (before or after the new one's), its {@code committed/A} stays
 *       beside the new holder's and is never promoted: the job commit promotes the attempt the
 *       book records as committed only, and removes everything else with {@code _temporary}. (A
 *       task commit never replaces another attempt's output, so a late zombie cannot overwrite
 *       the attempt of record either.)
 *   <li>The master dies during the job commit: the log ends in JobCommitting, so the new master
 *       runs {@link #commitJob} again with the same attempts (the book's). Every step is
 *       idempotent: files already moved are no longer in {@code committed/A}; the emptied {@code
 *       committed/A} stays until {@code _temporary} goes, so a missing one is an error (naming the
 *       task and the directory) and not mistaken for a finished move; {@code
 *       _temporary.promoted} says that every file was moved while {@code _temporary} is being
 *       removed, and the absence of both says the same (the mark goes last); {@code _SUCCESS} is
 *       rewritten whole.
 *   <li>A committed attempt's output is missing (removed by hand, a lost disk): the job commit
 *       fails before moving anything, naming the task and the directory; the job fails.
 *   <li>Two tasks write the same file name: the commit fails (naming the file) rather than lose
 *       one of them; the job fails.
 *   <li>A failed or killed job: no part file appears. When the job created OUT, OUT is removed
 *       whole, so the same command can run again; a directory that existed before the job (an
 *       output format that accepts one) keeps everything but {@code _temporary}. An attempt still
 *       writing when the job ended writes into files already unlinked, or fails to create its
 *       directory (attempts create only their own directory, under an existing {@code
 *       _temporary}); what it may leave is removed again when that attempt reports.
 *   <li>Not covered: a zombie that creates a file under {@code OUT/_temporary} after the job
 *       commit removed it (its check that {@code _temporary} exists raced the removal) brings
 *       {@code _temporary} back; if the master then dies before JobSucceeded, the rerun finds no
 *       mark and fails the job naming the missing directory rather than promote the wrong thing.
 * </ul>
 *
 * <p>The commit without the book ({@link #commitJob(String, SuccessFile)}, for tools and tests)
 * promotes every attempt under {@code committed/}; two attempts of one task there fail it as two
 * tasks writing one name.
 *
 * <h2>Filesystems</h2>
 *
 * OUT may be local or on any filesystem of {@link FileSystems} ({@code hdfs://nn:8020/out}); the
 * same steps run through its {@link FileSystem}. The guarantees rest on one property: the rename
 * of a directory (task commit) is atomic, as on a local disk and on HDFS. On a store without
 * atomic directory rename (object stores), a crash inside a task commit can leave a partial
 * {@code committed/A}; use {@link dev.quern.api.commit.ManifestOutputCommitter} there (a task
 * commit writes one manifest file instead of renaming a directory).
 */
public final class JobCommitter {
  private JobCommitter() {}

  /**
   * Jackson, for reading {@code _SUCCESS} back (tools and tests) and for the rare file {@link
   * SuccessJson} leaves to it; made on first use, as a job's commit does not need it.
   */
  private static final class Jackson {
    static final ObjectMapper JSON =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** The bytes of {@code _SUCCESS}: {@link SuccessJson}'s, which are Jackson's. */
  static byte[] successBytes(SuccessFile success) throws IOException {
    byte[] bytes = SuccessJson.bytes(success);
    return bytes != null ? bytes : Jackson.JSON.writeValueAsBytes(success);
  }

  /** Marks a job's {@code _temporary} when the job created OUT itself. */
  static final String CREATED_MARK = OutputPaths.CREATED_MARK;

  /** {@link #setupJob(JobSpec)} with the default committer and no configuration. */
  public static void setupJob(String outputPath) throws IOException {
    setupJob(outputPath, Configuration.empty());
  }

  /** {@link #setupJob(JobSpec)} with the committer that {@code conf} names. */
  public static void setupJob(String outputPath, Configuration conf) throws IOException {
    OutputCommitters.forJob(conf).setupJob(new JobCommitContext(null, outputPath, conf));
  }

  /**
   * Prepares the job's output through its committer (by default: creates {@code OUT/_temporary},
   * marked as the job's when OUT did not exist, so that an abort removes OUT whole). The job's id
   * is not known yet.
   */
  public static void setupJob(JobSpec spec) throws IOException {
    JobCommitContext job = new JobCommitContext(null, spec.outputPath(), spec.configuration());
    MasterCommitters.of(spec).setupJob(job);
  }

  /**
   * The job commit with the default committer, not knowing the book: every attempt under {@code
   * OUT/_temporary/committed} is promoted (see {@link #commitJob(String, String, JobSpec, Map,
   * SuccessFile)}). For tools and tests; the engine names the attempts of record.
   */
  public static void commitJob(String outputPath, SuccessFile success) throws IOException {
    commitJob(outputPath, success, Configuration.empty());
  }

  /**
   * The job commit with the committer that {@code conf} names, not knowing the book: every
   * attempt under {@code OUT/_temporary/committed} is promoted. For tools and tests.
   */
  public static void commitJob(String outputPath, SuccessFile success, Configuration conf)
      throws IOException {
    commit(OutputCommitters.forJob(conf),
        new JobCommitContext(success.jobId(), outputPath, conf), success);
  }

  /**
   * The job commit: the job's committer moves the committed output of the attempts of record into
   * OUT and removes {@code _temporary}, then {@code _SUCCESS} is written, last. Safe to run again
   * after a crash at any point.
   *
   * @param spec the job's spec (its committer and configuration), or null for the default
   *     committer and no settings
   * @param committedAttempts task name to the work directory name of the attempt the book
   *     records as committed ({@link JobCommitContext#committedAttempts}); only these are
   *     promoted
   */
  public static void commitJob(String jobId, String outputPath, JobSpec spec,
      Map<String, String> committedAttempts, SuccessFile success) throws IOException {
    Objects.requireNonNull(committedAttempts, "committedAttempts");
    Configuration conf = spec == null ? Configuration.empty() : spec.configuration();
    commit(spec == null ? OutputCommitters.rename() : MasterCommitters.of(spec),
        new JobCommitContext(jobId, outputPath, conf, committedAttempts), success);
  }

  private static void commit(OutputCommitter committer, JobCommitContext job,
      SuccessFile success) throws IOException {
    committer.commitJob(job);
    stopIfInterrupted(job);
    writeSuccess(job, success);
  }

  /** A stopped commit (see {@code OutputPaths.stopIfInterrupted}) writes no {@code _SUCCESS}. */
  private static void stopIfInterrupted(JobCommitContext job) throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new java.io.InterruptedIOException("the commit of job " + job.jobId()
          + " was stopped (interrupted) before _SUCCESS was in place");
    }
  }

  private static void writeSuccess(JobCommitContext job, SuccessFile success)
      throws IOException {
    FileSystem fs = job.fs();
    String out = job.outputPath();
    String tmp = OutputPaths.join(out, "." + OutputPaths.SUCCESS + ".tmp");
    String target = OutputPaths.join(out, OutputPaths.SUCCESS);
    if (fs instanceof LocalFileSystem) {
      Path local = LocalFileSystem.toPath(tmp);
      Files.write(local, successBytes(success));
      stopIfInterrupted(job);
      Files.move(local, LocalFileSystem.toPath(target), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    // No atomic replace through the interface: a rerun (after a crash) rewrites it whole.
    fs.delete(tmp);
    try (OutputStream o = fs.create(tmp)) {
      o.write(successBytes(success));
    }
    stopIfInterrupted(job);
    fs.delete(target);
    stopIfInterrupted(job);
    fs.rename(tmp, target);
  }

  /** {@link #abortJob(String, String, JobSpec)} with the default committer and no configuration. */
  public static void abortJob(String outputPath) throws IOException {
    abortJob(outputPath, Configuration.empty());
  }

  /** {@link #abortJob(String, String, JobSpec)} with the committer that {@code conf} names. */
  public static void abortJob(String outputPath, Configuration conf) throws IOException {
    OutputCommitters.forJob(conf).abortJob(new JobCommitContext(null, outputPath, conf));
  }

  /**
   * Removes what the job wrote, through its committer (by default: OUT whole when the job created
   * it, else {@code OUT/_temporary}; OUT and what it held before stay).
   *
   * @param spec the job's spec, or null for the default committer and no settings
   */
  public static void abortJob(String jobId, String outputPath, JobSpec spec) throws IOException {
    Configuration conf = spec == null ? Configuration.empty() : spec.configuration();
    (spec == null ? OutputCommitters.rename() : MasterCommitters.of(spec))
        .abortJob(new JobCommitContext(jobId, outputPath, conf));
  }

  /** Reads a {@code _SUCCESS} file back. */
  public static SuccessFile readSuccess(Path file) throws IOException {
    return Jackson.JSON.readValue(file.toFile(), SuccessFile.class);
  }

  /** Reads a {@code _SUCCESS} file back from any filesystem. */
  public static SuccessFile readSuccess(String file, Configuration conf) throws IOException {
    try (var in = FileSystems.get(file, conf).open(file, 0)) {
      return Jackson.JSON.readValue(in, SuccessFile.class);
    }
  }
}
