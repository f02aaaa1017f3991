package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.master.engine.BookJob;
import dev.quern.master.engine.JobBook;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes a submission safe to send twice. The client stamps each job it submits with an id of its
 * own ({@value #KEY} in the job's configuration, so it travels in the replicated
 * {@code JobAccepted} and outlives a failover); a leader that finds a job with that id in the book
 * answers with that job instead of accepting a second one. A client whose connection broke after
 * sending, or that was told to retry while a deposed leader's entry may still commit, can then
 * repeat the request, as YARN's clients do with the application id they asked for first.
 */
public final class SubmissionIds {
  /** The configuration key of a submission's id. */
  public static final String KEY = "quern.submission.id";

  private SubmissionIds() {}

  /** {@code spec} with a fresh submission id (one it already has is kept). */
  public static JobSpec stamp(JobSpec spec) {
    if (of(spec) != null) {
      return spec;
    }
    Map<String, String> config = new LinkedHashMap<>(spec.config());
    config.put(KEY, UUID.randomUUID().toString());
    return new JobSpec(spec.name(), spec.user(), spec.jar(), spec.inputPaths(), spec.outputPath(),
        spec.inputFormat(), spec.outputFormat(), spec.mapper(), spec.combiner(), spec.reducer(),
        spec.partitioner(), spec.reduceTasks(), spec.mapOutputKeyClass(),
        spec.mapOutputValueClass(), spec.outputKeyClass(), spec.outputValueClass(),
        spec.sortComparator(), spec.groupingComparator(), config);
  }

  /** The spec's submission id, or null when it has none. */
  public static String of(JobSpec spec) {
    String id = spec.config().get(KEY);
    return id == null || id.isBlank() ? null : id;
  }

  /** The job of the book that came from submission {@code id}, if any. */
  static Optional<String> find(JobBook book, String id) {
    for (BookJob job : book.jobs()) {
      if (id.equals(of(job.spec()))) {
        return Optional.of(job.id());
      }
    }
    return Optional.empty();
  }
}
