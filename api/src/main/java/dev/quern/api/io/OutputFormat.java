package dev.quern.api.io;

import dev.quern.api.Configuration;
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
    if (java.nio.file.Files.exists(Path.of(outputPath))) {
      throw new IOException("output directory " + outputPath + " already exists");
    }
  }

  /** Opens a writer for one task's file {@code baseName} (plus an extension) in {@code workDir}. */
  RecordWriter<K, V> open(Path workDir, String baseName, Configuration conf) throws IOException;
}
