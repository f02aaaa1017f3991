package dev.quern.cli;

import dev.quern.api.JobSubmitter;
import dev.quern.master.http.UiServer;
import dev.quern.master.local.LocalCluster;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Starts the in-process cluster behind {@code --master local[N]}, and its web UI. */
final class LocalClusters {
  private LocalClusters() {}

  /** A started cluster: where jobs go, its UI (null when off), and how to stop both. */
  record Running(LocalCluster cluster, UiServer ui) implements AutoCloseable {
    JobSubmitter submitter() {
      return cluster;
    }

    /** The UI first: it saves the jobs that ended to the history, reading the cluster. */
    @Override
    public void close() {
      try {
        if (ui != null) {
          ui.close();
        }
      } finally {
        try {
          cluster.close();
        } catch (RuntimeException e) {
          throw new CliException("stopping the local cluster failed: " + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * Starts the cluster and, unless {@code uiPort} is 0, the UI over it (saving finished jobs in
   * {@code historyDir}); prints the UI's URL on one line.
   */
  static Running start(MasterAddress address, int uiPort, Path historyDir, PrintWriter out) {
    ClassDataArchive.noteWorkload();
    LocalCluster cluster = LocalCluster.start(address.workers());
    if (uiPort == 0) {
      return new Running(cluster, null);
    }
    UiServer ui;
    try {
      ui = UiServer.startLocal(cluster, uiPort, historyDir);
    } catch (RuntimeException e) {
      cluster.close();
      String why = e.getMessage() == null ? e.toString() : Errors.firstLine(e.getMessage());
      throw new CliException("cannot start the web UI from port " + uiPort + ": " + why
          + " (--ui-port 0 runs without it)", e);
    }
    out.println("Quern UI: " + ui.url());
    out.flush();
    return new Running(cluster, ui);
  }
}
