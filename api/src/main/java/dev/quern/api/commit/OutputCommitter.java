package dev.quern.api.commit;

import java.io.IOException;

/**
 * Turns the files that task attempts wrote into a job's output, as Hadoop's {@code
 * OutputCommitter} does. The engine chooses where an attempt writes ({@code
 * OUT/_temporary/<attempt>}, {@link TaskCommitContext#workDir}) and which attempt of each task may
 * commit: the master grants exactly one attempt per task and records the grant before it
 * answers. The committer decides what a commit does with the files.
 *
 * <p>Who calls what, and where:
 *
 * <pre>
 * master, when the job is accepted:      setupJob
 * worker, before an attempt runs:        setupTask
 * worker, the attempt granted:           if (needsTaskCommit) commitTask
 * worker, an attempt denied the commit:  abortTask
 * master, when every task committed:     commitJob, then the engine writes OUT/_SUCCESS
 * master, when the job failed or was killed (and again when a straggler reports): abortJob
 * </pre>
 *
 * Every method may run again after a crash (a new master re-runs {@code commitJob} on a job it
 * finds committing; a task may be granted again when its grant holder was lost), so each must be
 * idempotent. {@code commitTask} may find the output of an earlier grant holder of the same task
 * that was lost before it reported: the later commit replaces it.
 *
 * <p>The default is {@link RenameOutputCommitter} (one directory rename per task: atomic on a
 * local disk and on HDFS). {@link ManifestOutputCommitter} renames no directory, for stores
 * without atomic directory rename. Choose one with {@value OutputCommitters#KEY} ({@code rename},
 * {@code manifest} or a class name), or have the output format supply one:
 *
 * <pre>{@code
 * public class MyFormat extends TextOutputFormat<String, Long> {
 *   @Override
 *   public OutputCommitter committer(Configuration conf) {
 *     return new ManifestOutputCommitter();
 *   }
 * }
 * }</pre>
 *
 * A committer class needs a public no-argument constructor; it runs on the master for the job's
 * steps and on the workers for the task's.
 */
public interface OutputCommitter {

  /** Prepares the output directory before any task runs (e.g. creates {@code OUT/_temporary}). */
  void setupJob(JobCommitContext job) throws IOException;

  /**
   * Prepares an attempt's work directory before it runs. By default creates it, but only inside
   * an existing {@code OUT/_temporary}: an attempt of a job that has ended must not bring it back.
   */
  default void setupTask(TaskCommitContext task) throws IOException {
    OutputPaths.createUnderTemporary(task.fs(), task.workDir());
  }

  /**
   * Whether the granted attempt has anything to commit; {@code false} skips {@link #commitTask}
   * (the grant still counts: the task is done).
   */
  default boolean needsTaskCommit(TaskCommitContext task) throws IOException {
    return true;
  }

  /** Makes the granted attempt's files the task's committed output (not yet visible in OUT). */
  void commitTask(TaskCommitContext task) throws IOException;

  /** Throws away an attempt's files (it lost the commit, or failed). */
  void abortTask(TaskCommitContext task) throws IOException;

  /**
   * Moves every task's committed output into OUT and removes what is temporary. If it throws, the
   * job fails and {@link #abortJob} follows; it must leave no part of the output then.
   */
  void commitJob(JobCommitContext job) throws IOException;

  /** Removes what the job wrote, after it failed or was killed. */
  void abortJob(JobCommitContext job) throws IOException;
}
