package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobSpec;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.JobSubmitter;
import dev.quern.master.engine.JobView;
import dev.quern.master.local.JobKeys;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The submitter the command installs for the driver: it stamps each job with the jar and the
 * {@code -D} entries, hands it to the cluster, and shows its progress and summary.
 */
final class ReportingSubmitter implements JobSubmitter {
  private final JobSubmitter cluster;
  private final String jar;
  private final Map<String, String> overrides;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;
  private final Function<String, Optional<JobView>> views;
  private final List<JobHandle> submitted = new ArrayList<>();
  private final Set<String> warned = new HashSet<>();

  ReportingSubmitter(JobSubmitter cluster, String jar, Map<String, String> overrides,
      PrintWriter out, boolean terminal) {
    this(cluster, jar, overrides, out, null, terminal, null);
  }

  /**
   * @param err where warnings go (unknown configuration keys); null: none are printed
   * @param views the cluster's job views, for the summaries' times (see {@link ProgressMonitor})
   */
  ReportingSubmitter(JobSubmitter cluster, String jar, Map<String, String> overrides,
      PrintWriter out, PrintWriter err, boolean terminal,
      Function<String, Optional<JobView>> views) {
    this.cluster = cluster;
    this.jar = jar;
    this.overrides = Map.copyOf(overrides);
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.views = views;
  }

  @Override
  public synchronized JobHandle submit(JobSpec spec) {
    JobSpec stamped = stamp(spec, jar, overrides);
    warnUnknownKeys(stamped);
    JobHandle handle;
    try {
      handle = cluster.submit(stamped);
    } catch (JobSubmissionException e) {
      throw new JobSubmissionException(
          "job '" + spec.name() + "' refused: " + Errors.firstLine(e.getMessage()), e);
    }
    ProgressMonitor monitor = new ProgressMonitor(handle, out, terminal, views);
    monitor.start();
    Reporting reporting = new Reporting(handle, monitor);
    submitted.add(reporting);
    return reporting;
  }

  /** Once a run for each key: a driver may submit many jobs with the same configuration. */
  private void warnUnknownKeys(JobSpec spec) {
    if (err == null) {
      return;
    }
    for (String w : JobKeys.unknownKeyWarnings(spec.config())) {
      if (warned.add(w)) {
        err.println("quern: warning: " + w);
      }
    }
    err.flush();
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
