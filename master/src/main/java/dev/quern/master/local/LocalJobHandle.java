package dev.quern.master.local;

import dev.quern.api.JobHandle;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobView;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/** A job of a {@link LocalCluster}: reads the master's published snapshots; waits on them. */
final class LocalJobHandle implements JobHandle {
  private final String id;
  private final ClusterMonitor monitor;
  private final LocalCluster cluster;

  LocalJobHandle(String id, ClusterMonitor monitor, LocalCluster cluster) {
    this.id = id;
    this.monitor = monitor;
    this.cluster = cluster;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public JobStatus status() {
    return monitor.job(id).map(JobView::toStatus)
        .orElseThrow(() -> new IllegalStateException("unknown job " + id));
  }

  @Override
  public JobStatus awaitCompletion() throws InterruptedException {
    try {
      return monitor.completion(id).get().toStatus();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public JobStatus awaitCompletion(Duration timeout) throws InterruptedException {
    return monitor.await(id, timeout).map(JobView::toStatus).orElseGet(this::status);
  }

  @Override
  public void kill() {
    cluster.kill(id);
  }

  @Override
  public String toString() {
    return "job " + id;
  }
}
