package dev.quern.api;

/**
 * Where {@link Job#submit()} sends a job: a local cluster in this JVM or a remote master group.
 *
 * <p>Job authors rarely touch this: {@code quern submit} installs the right submitter before it
 * calls the driver's {@code main}. Tests pass one explicitly:
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2)) {
 *   JobStatus s = job.submit(cluster).awaitCompletion();
 * }
 * }</pre>
 */
public interface JobSubmitter {

  /**
   * Checks and submits the job. Fails with {@link JobSubmissionException} naming what is wrong
   * (missing input, existing output, a class that does not load) without changing anything.
   */
  JobHandle submit(JobSpec spec);

  /** The submitter that {@link Job#submit()} uses; set by the runtime that runs the driver. */
  static JobSubmitter current() {
    JobSubmitter s = SubmitterHolder.current;
    if (s == null) {
      throw new IllegalStateException(
          "no Quern cluster to submit to: run the driver with 'quern submit', "
              + "or call job.submit(submitter) with a LocalCluster");
    }
    return s;
  }

  /** Installs the submitter for {@link Job#submit()}; returns the previous one (may be null). */
  static JobSubmitter install(JobSubmitter submitter) {
    JobSubmitter previous = SubmitterHolder.current;
    SubmitterHolder.current = submitter;
    return previous;
  }
}

final class SubmitterHolder {
  static volatile JobSubmitter current;

  private SubmitterHolder() {}
}
