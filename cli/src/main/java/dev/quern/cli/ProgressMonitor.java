package dev.quern.cli;

import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows one job's progress while it runs and its summary when it ends. It only reads {@link
 * JobHandle#status()} every {@value #REFRESH_MS} ms to redraw the screen; no other code waits on
 * it except to let the summary finish printing.
 *
 * <p>On a terminal the progress is one line redrawn in place; elsewhere (a pipe, a log file) a
 * new line is printed only when the figures change.
 */
final class ProgressMonitor implements Runnable {
  static final long REFRESH_MS = 500;
  private static final int MAX_FAILED_READS = 20;
  private static final Logger log = LoggerFactory.getLogger(ProgressMonitor.class);

  private final JobHandle handle;
  private final PrintWriter out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private volatile JobStatus last;
  private Thread thread;

  ProgressMonitor(JobHandle handle, PrintWriter out, boolean terminal) {
    this.handle = handle;
    this.out = out;
    this.terminal = terminal;
  }

  void start() {
    thread = new Thread(this, "quern-progress-" + handle.id());
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits (bounded) until the summary has been printed, so it precedes what the driver prints. */
  void awaitSummary() throws InterruptedException {
    thread.join((MAX_FAILED_READS + 2) * REFRESH_MS + 5_000);
  }

  /** The last status seen, or null before the first read. */
  JobStatus last() {
    return last;
  }

  @Override
  public void run() {
    String shown = null;
    int failures = 0;
    try {
      while (true) {
        JobStatus s;
        try {
          s = handle.status();
          failures = 0;
        } catch (RuntimeException e) {
          // A status read can fail briefly (e.g. before the master publishes a new job); give
          // up only when it keeps failing.
          if (++failures >= MAX_FAILED_READS) {
            throw e;
          }
          log.debug("status of job {} not readable yet: {}", handle.id(), e.toString());
          Thread.sleep(REFRESH_MS);
          continue;
        }
        last = s;
        if (s.isDone()) {
          if (terminal && shown != null) {
            out.print("\r\033[2K");
          }
          out.println(JobReport.summary(s, (System.nanoTime() - startNanos) / 1e9));
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
        Thread.sleep(REFRESH_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("cannot read the status of job {}: {}", handle.id(), e.toString());
    }
  }
}
