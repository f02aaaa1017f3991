package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.quern.testkit.Await;
import dev.quern.worker.cluster.ArteryConfig;
import dev.quern.worker.cluster.WorkerAgent;
import dev.quern.worker.cluster.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle worker's heartbeats on the workers API of the leader, over real sockets (three
 * masters, a worker agent on Artery that runs nothing): its last heartbeat moves on while no
 * attempt runs, so its heartbeat age stays below a bound however long it has been registered.
 * Before, the UI's "last heartbeat" was the last report the master heard (its registration or an
 * attempt report), so an idle worker's time stood still.
 */
@Timeout(180)
class IdleWorkerHeartbeatTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Heartbeats come every 100 ms: an age above this (half the default worker timeout) means they were not counted. */
  private static final Duration BOUND = Duration.ofSeconds(5);
  /**
   * How long w1 stays idle after it registered: 20 heartbeat intervals. A last heartbeat that
   * stood still at the registration never gets past it, however short; the age's bound above is
   * what keeps a margin for a loaded machine, not this.
   */
  private static final Duration IDLE = Duration.ofSeconds(2);

  @Test
  void anIdleWorkersHeartbeatAgeStaysBelowABoundWhileTimePasses(@TempDir Path tmp)
      throws Exception {
    try (InProcessMasters masters = new InProcessMasters().start(tmp)) {
      String leader = masters.awaitLeader(WAIT);
      List<String> artery = masters.masters.values().stream()
          .map(m -> m.config().raft().toString()).toList();
      ActorSystem<Object> worker = ActorSystem.create(WorkerAgent.create(
          new WorkerAgent.Settings("w1", "127.0.0.1:1", 2, artery, Duration.ofMillis(100),
              Duration.ofSeconds(5)), new AtomicReference<>()),
          WorkerProcess.SYSTEM, ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
      try {
        String http = masters.httpOf.get(leader);
        JsonNode first = Await.value(WAIT, "w1 on the leader's workers API",
            () -> worker(masters, http).orElse(null));
        Instant registered = Instant.parse(first.path("lastHeartbeat").asText());
        // Time passes with w1 idle: no attempt, so no report.
        JsonNode later = Await.value(WAIT, "w1 heard from " + IDLE + " after it registered",
            () -> worker(masters, http).filter(w -> Instant.parse(w.path("lastHeartbeat")
                .asText()).isAfter(registered.plus(IDLE))).orElse(null));
        assertThat(later.path("running").size()).as("w1 runs nothing").isZero();
        assertThat(later.path("heartbeatAgeMillis").asLong()).as(later.toString())
            .isBetween(0L, BOUND.toMillis());
        // The overview's workers (another route, the same soft state) agree.
        JsonNode cluster = masters.getJson(http, "/api/cluster/workers").orElseThrow();
        assertThat(cluster.toString()).contains("\"w1\"");
      } finally {
        worker.terminate();
        worker.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }

  private static Optional<JsonNode> worker(InProcessMasters masters, String http) {
    return masters.getJson(http, WorkerExecutorsRoutes.PATH).flatMap(d -> {
      for (JsonNode w : d.path("workers")) {
        if (w.path("id").asText().equals("w1")) {
          return Optional.of(w);
        }
      }
      return Optional.empty();
    });
  }
}
