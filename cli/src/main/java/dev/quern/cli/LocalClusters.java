package dev.quern.cli;

import dev.quern.api.JobSubmitter;
import dev.quern.master.local.LocalCluster;

/** Starts the in-process cluster behind {@code --master local[N]}. */
final class LocalClusters {
  private LocalClusters() {}

  /** A started cluster: where jobs go, and how to stop it. */
  record Running(JobSubmitter submitter, AutoCloseable closer) implements AutoCloseable {
    @Override
    public void close() {
      try {
        closer.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new CliException("stopping the local cluster failed: " + e.getMessage(), e);
      }
    }
  }

  static Running start(MasterAddress address) {
    LocalCluster cluster = LocalCluster.start(address.workers());
    return new Running(cluster, cluster);
  }
}
