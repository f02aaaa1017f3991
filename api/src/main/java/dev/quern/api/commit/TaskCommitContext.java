package dev.quern.api.commit;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;

/**
 * What an {@link OutputCommitter} knows of one task attempt on a worker: the job's id and output
 * directory, the task's name ({@code r-00002}), the attempt's private work directory (where the
 * output format wrote its files: {@code OUT/_temporary/r-00002_1}) and the job's configuration.
 * The work directory's last name ({@link #attemptName}) names the attempt: the engine gives every
 * attempt of a job its own, and the bundled committers name the attempt's committed output by it,
 * so that no task commit replaces another attempt's.
 *
 * <pre>{@code
 * String work = out + "/_temporary/r-00002_1";
 * var task = new TaskCommitContext("job-0001", out, "r-00002", work, conf);
 * if (committer.needsTaskCommit(task)) committer.commitTask(task);
 * }</pre>
 */
public record TaskCommitContext(String jobId, String outputPath, String taskName, String workDir,
    Configuration conf) {

  /** The filesystem of the work directory, configured from the job. */
  public FileSystem fs() throws IOException {
    return FileSystems.get(workDir, conf);
  }

  /**
   * The last name of {@link #workDir}, e.g. {@code r-00002_1}: what the master's job commit names
   * in {@link JobCommitContext#committedAttempts} when this attempt is the task's committed one.
   */
  public String attemptName() {
    return OutputPaths.name(workDir);
  }

  /** The job of this task (naming no committed attempts). */
  public JobCommitContext job() {
    return new JobCommitContext(jobId, outputPath, conf);
  }
}
