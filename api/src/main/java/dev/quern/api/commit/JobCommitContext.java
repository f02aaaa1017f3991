package dev.quern.api.commit;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;

/**
 * What an {@link OutputCommitter} knows of a job on the master: its id, its output directory (any
 * filesystem of {@link FileSystems}) and its configuration (so {@code quern.hadoop.*} settings
 * reach the output's filesystem).
 *
 * <pre>{@code
 * committer.commitJob(new JobCommitContext("job-0001", "hdfs://nn:8020/out", conf));
 * }</pre>
 */
public record JobCommitContext(String jobId, String outputPath, Configuration conf) {

  /** The filesystem of the output directory, configured from the job. */
  public FileSystem fs() throws IOException {
    return FileSystems.get(outputPath, conf);
  }
}
