package dev.quern.master.local;

import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.JobView;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Waits for a job's published view to satisfy a condition (through the listener hook). */
final class Views {
  private Views() {}

  @SuppressWarnings("try")
  static JobView await(LocalCluster cluster, String jobId, Predicate<JobView> condition,
      Duration timeout) throws Exception {
    CompletableFuture<JobView> seen = new CompletableFuture<>();
    try (AutoCloseable l = cluster.addListener(e -> {
      if (e instanceof ClusterEvent.JobUpdated u && u.job().id().equals(jobId)
          && condition.test(u.job())) {
        seen.complete(u.job());
      }
    })) {
      cluster.jobView(jobId).filter(condition).ifPresent(seen::complete);
      try {
        return seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("job " + jobId + " did not reach the condition within " + timeout
            + "; last view: " + cluster.jobView(jobId).orElse(null));
      }
    }
  }
}
