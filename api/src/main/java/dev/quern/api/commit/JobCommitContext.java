package dev.quern.api.commit;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an {@link OutputCommitter} knows of a job on the master: its id, its output directory (any
 * filesystem of {@link FileSystems}), its configuration (so {@code quern.hadoop.*} settings reach
 * the output's filesystem) and, for the job commit, which attempt of each task the master's book
 * records as committed.
 *
 * <p>{@code committedAttempts} maps each task whose files are the job's output (every reduce, or
 * every map of a job without reduces) to the name of its committed attempt's work directory, the
 * last name of {@link TaskCommitContext#workDir} ({@link TaskCommitContext#attemptName}), e.g.
 * {@code r-00002 -> r-00002_3}. The bundled committers promote exactly those attempts and nothing
 * else that lies under {@code OUT/_temporary}: an attempt that was declared lost but still
 * committed afterwards (a zombie) is never promoted. It is null when the caller does not know the
 * book (tools, tests, and every step but the job commit); see {@link #knowsCommittedAttempts}.
 *
 * <pre>{@code
 * // the engine's job commit: the attempts of record
 * committer.commitJob(new JobCommitContext("job-0001", "hdfs://nn:8020/out", conf,
 *     Map.of("r-00000", "r-00000_1", "r-00001", "r-00001_2")));
 * // setupJob, abortJob, or a caller without the book: three arguments, no attempts named
 * committer.setupJob(new JobCommitContext("job-0001", "hdfs://nn:8020/out", conf));
 * }</pre>
 *
 * @param committedAttempts task name to committed attempt's directory name (iterated in task
 *     order); null when unknown
 */
public record JobCommitContext(String jobId, String outputPath, Configuration conf,
    Map<String, String> committedAttempts) {

  /** Keeps an unmodifiable copy of {@code committedAttempts} that iterates in task order. */
  public JobCommitContext {
    committedAttempts = committedAttempts == null ? null
        : Collections.unmodifiableSortedMap(new TreeMap<>(committedAttempts));
  }

  /**
   * A job context that names no committed attempts: for {@code setupJob} and {@code abortJob},
   * and for a job commit by a caller that does not know the book, where the bundled committers
   * promote every attempt under {@code OUT/_temporary/committed} (see {@link
   * RenameOutputCommitter#commitJob}).
   *
   * <pre>{@code
   * committer.abortJob(new JobCommitContext("job-0001", "/data/out", Configuration.empty()));
   * }</pre>
   */
  public JobCommitContext(String jobId, String outputPath, Configuration conf) {
    this(jobId, outputPath, conf, null);
  }

  /** Whether {@link #committedAttempts} names the attempts of record (the engine's job commit). */
  public boolean knowsCommittedAttempts() {
    return committedAttempts != null;
  }

  /** The filesystem of the output directory, configured from the job. */
  public FileSystem fs() throws IOException {
    return FileSystems.get(outputPath, conf);
  }
}
