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
 * idempotent. A grant holder that was declared lost may still be running, and may still commit
 * after another attempt of its task was granted and committed (a zombie); so {@code commitTask}
 * must never replace another attempt's committed output (the bundled committers name it by the
 * attempt, {@link TaskCommitContext#attemptName}), and {@code commitJob} must promote only the
 * attempts that {@link JobCommitContext#committedAttempts} names: the ones the master's book
 * recorded as committed.
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
   * Moves the committed output of the attempts that {@link JobCommitContext#committedAttempts}
   * names (one per task; null when the caller does not know them) into OUT and removes what is
   * temporary. May run again over what a crashed run left. If it throws, the job fails and {@link
   * #abortJob} follows; it must leave no part of the output then.
   */
  void commitJob(JobCommitContext job) throws IOException;

  /** Removes what the job wrote, after it failed or was killed. */
  void abortJob(JobCommitContext job) throws IOException;
}
