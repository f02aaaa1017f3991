package dev.quern.master.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.Counters;
import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.http.UiRoutes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A job on a cluster, read through the masters' job API ({@code GET /api/v1/jobs/{id}}): any
 * master answers from its copy of the replicated book, so waiting survives a failover.
 */
final class RemoteJobHandle implements JobHandle {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MS = 200;

  private final String id;
  private final MasterLink link;

  RemoteJobHandle(String id, MasterLink link) {
    this.id = id;
    this.link = link;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public JobStatus status() {
    try {
      MasterLink.Answer a = link.get(UiRoutes.apiPrefix() + "/jobs/" + id);
      if (a.status() == 404) {
        // A follower that has not applied the acceptance yet: the leader answered 202 already.
        return new JobStatus(id, id, JobState.ACCEPTED, 0, 0, Counters.of(Map.of()), null);
      }
      if (a.status() != 200) {
        throw new IllegalStateException("status of " + id + ": HTTP " + a.status() + " "
            + a.body());
      }
      return toStatus(JSON.readTree(a.body()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the status of " + id + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the status of " + id, e);
    }
  }

  private JobStatus toStatus(JsonNode doc) throws IOException {
    Map<String, Map<String, Long>> counters = new HashMap<>();
    JsonNode c = doc.path("counters");
    c.fieldNames().forEachRemaining(group -> {
      Map<String, Long> names = new HashMap<>();
      c.get(group).fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue().asLong()));
      counters.put(group, names);
    });
    return new JobStatus(id, doc.path("name").asText(id), JobState.valueOf(doc.path("state")
        .asText()), doc.path("map").path("fraction").asDouble(),
        doc.path("reduce").path("fraction").asDouble(), Counters.of(counters),
        doc.hasNonNull("failure") ? doc.get("failure").asText() : null);
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
    try {
      MasterLink.Answer a = link.post(UiRoutes.apiPrefix() + "/jobs/" + id + "/kill",
          "application/json", new byte[0]);
      if (a.status() >= 400) {
        throw new IllegalStateException("kill of " + id + ": HTTP " + a.status() + " "
            + a.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot kill " + id + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + id, e);
    }
  }

  @Override
  public String toString() {
    return "job " + id;
  }
}
