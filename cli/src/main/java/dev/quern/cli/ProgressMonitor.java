package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.JobView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows one job's progress while it runs and its summary when it ends. It reads {@link
 * JobHandle#status()} every {@value #REFRESH_MS} ms to redraw the screen, and at once when the job
 * ends; no other code waits on it except to let the summary finish printing.
 *
 * <p>On a terminal the progress is one line redrawn in place; elsewhere (a pipe, a log file) a
 * new line is printed only when the figures change.
 */
final class ProgressMonitor implements Runnable {
  static final long REFRESH_MS = 500;
  private static final Logger log = LoggerFactory.getLogger(ProgressMonitor.class);

  private final JobHandle handle;
  private final PrintWriter out;
  private final boolean terminal;
  private final Function<String, Optional<JobView>> views;
  private final long startNanos = System.nanoTime();
  private volatile JobStatus last;
  private Thread thread;

  ProgressMonitor(JobHandle handle, PrintWriter out, boolean terminal) {
    this(handle, out, terminal, null);
  }

  /**
   * @param views the cluster's view of a job, whose times the summary quotes (so that it says
   *     what the API and the UI say); null: the time this monitor watched the job
   */
  ProgressMonitor(JobHandle handle, PrintWriter out, boolean terminal,
      Function<String, Optional<JobView>> views) {
    this.handle = handle;
    this.out = out;
    this.terminal = terminal;
    this.views = views;
  }

  void start() {
    thread = new Thread(this, "quern-progress-" + handle.id());
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits (bounded) until the summary has been printed, so it precedes what the driver prints. */
  void awaitSummary() throws InterruptedException {
    thread.join(2 * REFRESH_MS + 5_000);
  }

  /** The last status seen, or null before the first read. */
  JobStatus last() {
    return last;
  }

  /**
   * Waits up to {@value #REFRESH_MS} ms, returning as soon as the job ends: the summary (and with
   * it the driver, which waits for it) must not lag the job by a refresh period.
   */
  private void awaitEnd() throws InterruptedException {
    try {
      handle.awaitCompletion(Duration.ofMillis(REFRESH_MS));
    } catch (RuntimeException e) {
      // A cluster closing under the job fails the wait; the next status read shows the end.
      Thread.sleep(REFRESH_MS);
    }
  }

  private String summary(JobStatus s) {
    double watched = (System.nanoTime() - startNanos) / 1e9;
    JobView v = views == null ? null : views.apply(s.id()).orElse(null);
    if (v == null || v.startTime() < 0 || v.endTime() < v.startTime()) {
      return JobReport.summary(s, watched);
    }
    return JobReport.summary(s, (v.endTime() - v.startTime()) / 1e3,
        (v.endTime() - v.submitTime()) / 1e3);
  }

  @Override
  public void run() {
    String shown = null;
    try {
      while (true) {
        // The master publishes a job before it answers the submission, so this never misses.
        JobStatus s = handle.status();
        last = s;
        if (s.isDone()) {
          if (terminal && shown != null) {
            out.print("\r\033[2K");
          }
          out.println(summary(s));
          out.flush();
          return;
        }
        String line = JobReport.progressLine(s);
        if (!line.equals(shown)) {
          if (terminal) {
            out.print("\r\033[2K" + line);
          } else {
            out.println(line);
          }
          out.flush();
          shown = line;
        }
        awaitEnd();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("cannot read the status of job {}: {}", handle.id(), e.toString());
    }
  }
}
