package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobSpec;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.JobSubmitter;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The submitter the command installs for the driver: it stamps each job with the jar and the
 * {@code -D} entries, hands it to the cluster, and shows its progress and summary.
 */
final class ReportingSubmitter implements JobSubmitter {
  private final JobSubmitter cluster;
  private final String jar;
  private final Map<String, String> overrides;
  private final PrintWriter out;
  private final boolean terminal;
  private final List<JobHandle> submitted = new ArrayList<>();

  ReportingSubmitter(JobSubmitter cluster, String jar, Map<String, String> overrides,
      PrintWriter out, boolean terminal) {
    this.cluster = cluster;
    this.jar = jar;
    this.overrides = Map.copyOf(overrides);
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public synchronized JobHandle submit(JobSpec spec) {
    JobSpec stamped = stamp(spec, jar, overrides);
    JobHandle handle;
    try {
      handle = cluster.submit(stamped);
    } catch (JobSubmissionException e) {
      throw new JobSubmissionException(
          "job '" + spec.name() + "' refused: " + Errors.firstLine(e.getMessage()), e);
    }
    ProgressMonitor monitor = new ProgressMonitor(handle, out, terminal);
    monitor.start();
    Reporting reporting = new Reporting(handle, monitor);
    submitted.add(reporting);
    return reporting;
  }

  /** The jobs submitted so far, in order. */
  synchronized List<JobHandle> submitted() {
    return List.copyOf(submitted);
  }

  /** The spec with the jar set and the command line's entries over the job's own. */
  static JobSpec stamp(JobSpec spec, String jar, Map<String, String> overrides) {
    Map<String, String> config = new TreeMap<>(spec.config());
    config.putAll(overrides);
    return new JobSpec(spec.name(), spec.user(), jar, spec.inputPaths(), spec.outputPath(),
        spec.inputFormat(), spec.outputFormat(), spec.mapper(), spec.combiner(), spec.reducer(),
        spec.partitioner(), spec.reduceTasks(), spec.mapOutputKeyClass(),
        spec.mapOutputValueClass(), spec.outputKeyClass(), spec.outputValueClass(),
        spec.sortComparator(), spec.groupingComparator(), config);
  }

  /** The handle the driver gets: waiting for the job also waits for its summary to print. */
  private record Reporting(JobHandle handle, ProgressMonitor monitor) implements JobHandle {
    @Override
    public String id() {
      return handle.id();
    }

    @Override
    public JobStatus status() {
      return handle.status();
    }

    @Override
    public JobStatus awaitCompletion() throws InterruptedException {
      JobStatus s = handle.awaitCompletion();
      monitor.awaitSummary();
      return s;
    }

    @Override
    public JobStatus awaitCompletion(Duration timeout) throws InterruptedException {
      JobStatus s = handle.awaitCompletion(timeout);
      if (s.isDone()) {
        monitor.awaitSummary();
      }
      return s;
    }

    @Override
    public void kill() {
      handle.kill();
    }
  }
}
