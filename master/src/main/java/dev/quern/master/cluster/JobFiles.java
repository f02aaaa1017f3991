package dev.quern.master.cluster;

import dev.quern.api.JobSpec;
import dev.quern.master.commit.JobCommitter;
import dev.quern.master.commit.SuccessFile;
import dev.quern.master.cluster.jars.JarUpload;
import dev.quern.master.engine.Effect;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's file work on a job's output: creating {@code _temporary} at submission, removing
 * it when a job fails, and the job commit, each with the job's own configuration (its
 * {@code quern.hadoop.*} keys reach HDFS). The commit and clean-up run on one background thread
 * so the scheduler never waits on a filesystem.
 */
final class JobFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobFiles.class);

  /** Hears the end of a job commit: its end time, and the error (null when it worked). */
  interface CommitResult {
    void done(long endTime, String error);
  }

  private final Path jars;
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "quern-leader-files");
    t.setDaemon(true);
    return t;
  });

  /** @param jars where this master keeps stored job jars ({@code <sha256>.jar}) */
  JobFiles(Path jars) {
    this.jars = jars;
  }

  /** Prepares the output through the job's committer; the error, or null when it worked. */
  String setupJob(JobSpec spec) {
    try {
      JobCommitter.setupJob(local(spec));
      return null;
    } catch (Exception e) {
      return e.toString();
    }
  }

  void abortJob(String jobId, String outputPath, JobSpec spec) {
    try {
      JobCommitter.abortJob(jobId, outputPath, local(spec));
    } catch (Exception e) {
      log.warn("removing the temporary output of job {} failed", jobId, e);
    }
  }

  /** Removes what a straggler attempt of an ended job left under the output. */
  void cleanUp(String jobId, String outputPath, JobSpec spec) {
    background.execute(() -> abortJob(jobId, outputPath, spec));
  }

  /**
   * Promotes the output of the attempts the book records as committed ({@link
   * Effect.CommitJob#committedAttempts}) and writes {@code _SUCCESS}. Idempotent: a new leader
   * that finds the job COMMITTING runs it again over what the last one left. Cancelling the
   * future with interruption stops the commit between two of its changes (a master that no
   * longer leads does so, see {@code OutputPaths.stopIfInterrupted}).
   */
  java.util.concurrent.Future<?> commitJob(Effect.CommitJob c, JobSpec spec, Clock clock,
      CommitResult result) {
    SuccessFile base = c.success();
    return background.submit(() -> {
      long end = clock.millis();
      try {
        JobCommitter.commitJob(c.jobId(), c.outputPath(), local(spec), c.committedAttempts(),
            new SuccessFile(base.jobId(), base.name(), base.user(), base.submitTime(),
                base.startTime() < 0 ? end : base.startTime(), end, base.counters()));
        result.done(end, null);
      } catch (java.io.InterruptedIOException e) {
        log.info("the commit of job {} stopped: this master no longer leads ({})", c.jobId(),
            e.getMessage());
        result.done(clock.millis(), "job commit stopped: " + e.getMessage());
      } catch (Exception e) {
        log.warn("the commit of job {} failed", c.jobId(), e);
        result.done(clock.millis(), "job commit failed: " + e);
      }
    });
  }

  /**
   * The spec with a stored jar ({@code sha256:HEX}) named by its file here, where the committer
   * of an output format from the job's jar is loaded; the leader holds every stored jar, since it
   * stores one before it answers the upload.
   */
  private JobSpec local(JobSpec s) {
    if (s == null || s.jar() == null || !s.jar().startsWith(JarUpload.PREFIX)) {
      return s;
    }
    String file = jars.resolve(s.jar().substring(JarUpload.PREFIX.length()) + ".jar").toString();
    return new JobSpec(s.name(), s.user(), file, s.inputPaths(), s.outputPath(), s.inputFormat(),
        s.outputFormat(), s.mapper(), s.combiner(), s.reducer(), s.partitioner(),
        s.reduceTasks(), s.mapOutputKeyClass(), s.mapOutputValueClass(), s.outputKeyClass(),
        s.outputValueClass(), s.sortComparator(), s.groupingComparator(), s.config());
  }

  @Override
  public void close() {
    background.shutdown();
  }
}
