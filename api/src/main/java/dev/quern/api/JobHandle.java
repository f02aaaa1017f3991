package dev.quern.api;

import java.time.Duration;

/**
 * A submitted job, as returned by {@link Job#submit()}.
 *
 * <pre>{@code
 * JobHandle h = job.submit();
 * while (!h.status().isDone()) { Thread.sleep(500); print(h.status().mapProgress()); }
 * }</pre>
 */
public interface JobHandle {

  String id();

  /** The current status, fresh from the master. */
  JobStatus status();

  /** Blocks until the job ends and returns its final status. */
  JobStatus awaitCompletion() throws InterruptedException;

  /**
   * Blocks at most {@code timeout}; returns the final status, or the current one if the job is
   * still running.
   */
  JobStatus awaitCompletion(Duration timeout) throws InterruptedException;

  /** Asks the master to kill the job; a killed job leaves no output. */
  void kill();
}
