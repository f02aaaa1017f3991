package dev.quern.cli;

import dev.quern.api.JobSubmitter;
import dev.quern.master.http.UiServer;
import dev.quern.master.http.LocalAttemptLogs;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Starts the in-process cluster behind {@code --master local[N]}, and its web UI. */
final class LocalClusters {
  private LocalClusters() {}

  /**
   * A started cluster: where jobs go, its UI (null when off), and how to stop both. Closing is
   * idempotent and may come from two threads at once (the command's own end and the exit guard's
   * shutdown hook): the second waits for the first to finish.
   */
  static final class Running implements AutoCloseable {
    private final LocalCluster cluster;
    private final UiServer ui;
    private boolean closed;

    Running(LocalCluster cluster, UiServer ui) {
      this.cluster = cluster;
      this.ui = ui;
    }

    LocalCluster cluster() {
      return cluster;
    }

    UiServer ui() {
      return ui;
    }

    JobSubmitter submitter() {
      return cluster;
    }

    /**
     * The UI and the cluster stop side by side (each takes tens of milliseconds): the UI's
     * recorder finishes saving the jobs that ended from the cluster's views, which outlive the
     * cluster's actors. Returns when both have stopped.
     */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      RuntimeException[] uiFailure = new RuntimeException[1];
      Thread uiStop = null;
      if (ui != null) {
        uiStop = new Thread(() -> {
          try {
            ui.close();
          } catch (RuntimeException e) {
            uiFailure[0] = e;
          }
        }, "quern-ui-stop");
        uiStop.start();
      }
      try {
        cluster.close();
      } catch (RuntimeException e) {
        throw new CliException("stopping the local cluster failed: " + e.getMessage(), e);
      } finally {
        if (uiStop != null) {
          joinUninterruptibly(uiStop);
        }
      }
      if (uiFailure[0] != null) {
        throw uiFailure[0];
      }
    }
  }

  /**
   * Starts the cluster and, unless {@code uiPort} is 0, the UI over it (saving finished jobs in
   * {@code historyDir}); prints the UI's URL on one line. The two start side by side (the cluster
   * on a thread of its own, the UI here), as each takes a few hundred milliseconds; the URL is
   * printed once both are up, so before any job runs.
   */
  static Running start(MasterAddress address, int uiPort, Path historyDir, PrintWriter out) {
    ClassDataArchive.noteWorkload();
    if (uiPort == 0) {
      return new Running(LocalCluster.start(address.workers()), null);
    }
    CompletableFuture<LocalCluster> starting = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        // With the UI (and so the history) the attempts' output is kept too, for its log links
        // and 'quern logs' (LocalAttemptLogs: HISTORY/logs/run-...).
        starting.complete(LocalCluster.start(LocalClusterOptions.defaults()
            .withWorkers(address.workers())
            .withAttemptLogs(LocalAttemptLogs.under(historyDir).startRun())));
      } catch (Throwable e) {
        starting.completeExceptionally(e);
      }
    }, "quern-cluster-start");
    starter.start();
    UiServer ui = null;
    RuntimeException uiFailure = null;
    try {
      ui = UiServer.startLocal(starting, uiPort, historyDir);
    } catch (RuntimeException e) {
      uiFailure = e;
    }
    // Joining the thread, not just the future: the UI's listeners attach to the cluster on that
    // thread as it completes the future, and must be in place before a job is submitted.
    joinUninterruptibly(starter);
    LocalCluster cluster;
    try {
      cluster = starting.join();
    } catch (CompletionException e) {
      if (ui != null) {
        ui.close();
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    if (uiFailure != null) {
      cluster.close();
      String why = uiFailure.getMessage() == null ? uiFailure.toString()
          : Errors.firstLine(uiFailure.getMessage());
      throw new CliException("cannot start the web UI from port " + uiPort + ": " + why
          + " (--ui-port 0 runs without it)", uiFailure);
    }
    out.println("Quern UI: " + ui.url());
    out.flush();
    return new Running(cluster, ui);
  }

  /** The cluster start is bounded (its own timeouts); an interrupt is kept for the caller. */
  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
