package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.commit.OutputCommitter;
import dev.quern.api.commit.OutputCommitters;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a task's output records into files of a directory the engine gives it.
 *
 * <p>The engine owns the commit: an attempt writes into its private work directory, and only the
 * attempt that wins the commit has its files moved into the job's output directory, so a format
 * never writes to the output path itself.
 *
 * <pre>{@code
 * try (RecordWriter<String, Long> w = new TextOutputFormat<String, Long>()
 *     .open(workDir, "part-r-00000", conf)) {
 *   w.write("quern", 1L);
 * }
 * }</pre>
 */
public interface OutputFormat<K, V> {

  /**
   * Checks the output location at submission; by default the directory must not exist, so that no
   * job ever overwrites or mixes with committed output.
   */
  default void checkOutput(String outputPath, Configuration conf) throws IOException {
    if (FileSystems.get(outputPath, conf).exists(outputPath)) {
      throw new IOException("output directory " + outputPath + " already exists");
    }
  }

  /** Opens a writer for one task's file {@code baseName} (plus an extension) in {@code workDir}. */
  RecordWriter<K, V> open(Path workDir, String baseName, Configuration conf) throws IOException;

  /**
   * Opens a writer in a work directory on any filesystem ({@code hdfs://...} as well as local;
   * see {@link FileSystems}); the engine calls this one. By default a local directory goes to
   * {@link #open(Path, String, Configuration)} and any other fails naming the directory: a format
   * that can write elsewhere overrides this, writing through {@link FileSystems#get}.
   */
  default RecordWriter<K, V> open(String workDir, String baseName, Configuration conf)
      throws IOException {
    if (FileSystems.isLocal(workDir)) {
      return open(LocalFileSystem.toPath(workDir), baseName, conf);
    }
    throw new IOException(getClass().getName() + " writes only local files, not to " + workDir
        + " (it does not override OutputFormat.open(String, String, Configuration))");
  }

  /**
   * The committer that turns the attempts' files into the job's output (see {@link
   * OutputCommitter}): by default the one that {@value OutputCommitters#KEY} names ({@code rename}
   * unless set). A format whose output needs its own protocol overrides this; the engine calls it
   * on the master and on the workers, so it must give the same committer for the same
   * configuration.
   */
  default OutputCommitter committer(Configuration conf) {
    return OutputCommitters.forJob(conf);
  }
}
