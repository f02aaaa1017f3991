package dev.quern.master.local;

import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.BookSplit;
import java.nio.file.Path;
import java.util.List;

/**
 * A job checked and planned on the submitting side, as a cluster client does it (the driver runs
 * in the client, as {@code hadoop jar} does): the configuration's reduce count applied, the jar,
 * classes, input and output checked, the splits planned with the job's own input format, and the
 * jar named by an absolute path.
 *
 * @param spec the job as the cluster should accept it
 * @param splits the planned splits, as the book records them
 */
public record SubmissionPlan(JobSpec spec, List<BookSplit> splits) {

  /** Checks and plans {@code spec}; {@link JobSubmissionException} names what is wrong. */
  public static SubmissionPlan of(JobSpec spec) {
    JobSpec merged = JobKeys.applyReduceTasks(spec);
    // The masters and workers run elsewhere (other directories, here): local paths go absolute.
    merged = new JobSpec(merged.name(), merged.user(),
          merged.jar() == null ? null : absolute(merged.jar()),
          merged.inputPaths().stream().map(SubmissionPlan::absolute).toList(),
          absolute(merged.outputPath()), merged.inputFormat(), merged.outputFormat(), merged.mapper(),
          merged.combiner(), merged.reducer(), merged.partitioner(), merged.reduceTasks(),
          merged.mapOutputKeyClass(), merged.mapOutputValueClass(), merged.outputKeyClass(),
          merged.outputValueClass(), merged.sortComparator(), merged.groupingComparator(),
          merged.config());
    ClassLoader loader = JobClassLoaders.create(merged);
    try {
      List<InputSplit> splits = SubmissionCheck.check(merged, loader);
      return new SubmissionPlan(merged, BookSplit.ofAll(splits, loader));
    } catch (JobSubmissionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new JobSubmissionException("job " + spec.name() + " was refused: " + e, e);
    } finally {
      JobClassLoaders.discard(loader);
    }
  }

  /** A local path made absolute; a URI with a scheme ({@code hdfs://}, {@code file:}) as it is. */
  static String absolute(String path) {
    if (path == null || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return path;
    }
    return Path.of(path).toAbsolutePath().normalize().toString();
  }
}
