package dev.quern.master.submit;

import dev.quern.api.Counters;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.client.ClusterClient;
import dev.quern.master.http.json.JobDoc;
import java.time.Duration;
import java.util.Map;

/**
 * A job on a cluster, read through the masters' job API ({@code GET /api/v1/jobs/{id}}, by
 * {@link ClusterClient}): any master answers from its copy of the replicated book, so waiting
 * survives a failover.
 */
final class RemoteJobHandle implements JobHandle {
  private static final long POLL_MS = 200;

  private final String id;
  private final ClusterClient client;
  /** The last status read and when (nanos); guarded by {@code this}. */
  private JobStatus latest;
  private long latestNanos;
  private final long freshNanos;

  RemoteJobHandle(String id, ClusterClient client) {
    this(id, client, Duration.ofMillis(POLL_MS));
  }

  /** @param fresh how long a status read is answered again (the poll period; tests: longer) */
  RemoteJobHandle(String id, ClusterClient client, Duration fresh) {
    this.id = id;
    this.client = client;
    this.freshNanos = fresh.toNanos();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public JobStatus status() {
    synchronized (this) {
      // Callers that poll at once wait for one read rather than each sending theirs.
      if (latest != null && (latest.state().isFinal()
          || System.nanoTime() - latestNanos < freshNanos)) {
        return latest;
      }
      latest = read();
      latestNanos = System.nanoTime();
      return latest;
    }
  }

  private JobStatus read() {
    // Empty: a master that has not applied the acceptance yet (the leader answered 202 already).
    return client.job(id).map(this::toStatus).orElseGet(() -> new JobStatus(id, id,
        JobState.ACCEPTED, 0, 0, Counters.of(Map.of()), null));
  }

  private JobStatus toStatus(JobDoc doc) {
    return new JobStatus(id, doc.name(), JobState.valueOf(doc.state()), doc.map().fraction(),
        doc.reduce().fraction(), Counters.of(doc.counters()), doc.failure());
  }

  @Override
  public JobStatus awaitCompletion() throws InterruptedException {
    while (true) {
      JobStatus s = status();
      if (s.state().isFinal()) {
        return s;
      }
      Thread.sleep(POLL_MS); // polling a remote master: nothing to wait on locally
    }
  }

  @Override
  public JobStatus awaitCompletion(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JobStatus s = status();
      if (s.state().isFinal() || System.nanoTime() >= deadline) {
        return s;
      }
      Thread.sleep(Math.min(POLL_MS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  @Override
  public void kill() {
    client.kill(id);
  }

  @Override
  public String toString() {
    return "job " + id;
  }
}
