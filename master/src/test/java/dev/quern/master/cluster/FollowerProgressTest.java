package dev.quern.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.quern.api.Job;
import dev.quern.api.JobSpec;
import dev.quern.api.io.FileSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.testkit.Await;
import dev.quern.worker.cluster.ArteryConfig;
import dev.quern.worker.cluster.ClusterWire;
import dev.quern.worker.cluster.WorkerAgent;
import dev.quern.worker.cluster.WorkerProcess;
import dev.quern.worker.task.TaskAttemptId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempt progress read at a follower: three real masters (Raft over Artery, HTTP on real
 * sockets) and a worker on Artery played by the test, which takes the job's map, reports a known
 * fraction for it and never ends it. A follower's {@code GET /api/v1/jobs/ID} (what {@code quern
 * status} prints) and its tasks show that fraction for the running attempt, as the leader's do,
 * with no note; before, a follower showed 0 for every running attempt. A follower asks the leader
 * only while its views are read: once no one asks it, it stops (the leader's count of answers on
 * its {@code /metrics} stands still), and the next request to it has it ask again.
 */
@Timeout(240)
class FollowerProgressTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final float FRACTION = 0.375f;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .build();

  /**
   * A worker of one slot: heartbeats every master every 100 ms, and for each attempt it is sent
   * reports {@link #FRACTION} to its leader on every tick (the attempt never ends).
   */
  private static Behavior<Object> worker(List<String> masters) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate("tick", Duration.ofMillis(100));
      ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
      List<ActorRef<ClusterWire.ToMaster>> all = masters.stream()
          .map(m -> resolver.<ClusterWire.ToMaster>resolveActorRef(WorkerAgent.masterPath(m)))
          .toList();
      Set<TaskAttemptId> running = new LinkedHashSet<>();
      Object[] leader = new Object[2]; // the leader's ref and term
      return Behaviors.receive(Object.class)
          .onMessageEquals("tick", () -> {
            long term = leader[1] == null ? 0 : (Long) leader[1];
            ClusterWire.Heartbeat h = new ClusterWire.Heartbeat("w1", "127.0.0.1:1", 1,
                1 - running.size(), running.stream().map(TaskAttemptId::toString).toList(), term,
                leader[0] == null, ctx.getSelf().narrow(), "");
            all.forEach(m -> m.tell(h));
            if (leader[0] != null) {
              @SuppressWarnings("unchecked")
              ActorRef<ClusterWire.ToMaster> l = (ActorRef<ClusterWire.ToMaster>) leader[0];
              running.forEach(a -> l.tell(new ClusterWire.AttemptProgress("w1", a, FRACTION)));
            }
            return Behaviors.same();
          })
          .onMessage(ClusterWire.Accepted.class, a -> {
            leader[0] = a.leader();
            leader[1] = a.term();
            return Behaviors.same();
          })
          .onMessage(ClusterWire.RunAttempt.class, r -> {
            running.add(r.task().id());
            return Behaviors.same();
          })
          .onAnyMessage(m -> Behaviors.same())
          .build();
    }));
  }

  @Test
  void aFollowerShowsTheProgressOfARunningAttemptAsTheLeaderDoes(@TempDir Path tmp)
      throws Exception {
    Path in = Files.writeString(tmp.resolve("in.txt"), "a b a\n");
    try (InProcessMasters masters = new InProcessMasters().start(tmp.resolve("masters"))) {
      String leader = masters.awaitLeader(WAIT);
      List<String> artery = masters.masters.values().stream()
          .map(m -> m.config().raft().toString()).toList();
      ActorSystem<Object> worker = ActorSystem.create(worker(artery), WorkerProcess.SYSTEM,
          ArteryConfig.of("127.0.0.1", 0, ConfigFactory.empty()));
      try {
        JobSpec spec = SubmissionIds.stamp(Job.builder("progress").input(in.toString())
            .output(tmp.resolve("out").toString()).mapper(SubmissionRepeatTest.NoMapper.class)
            .mapOutput(String.class, Long.class).reduceTasks(1).build().spec());
        byte[] body = SubmissionWire.encode(spec, List.of(new BookSplit.File(
            new FileSplit(in.toString(), 0, Files.size(in), List.of()))));
        String job = Await.value(WAIT, "the job accepted by " + leader, () -> {
          try {
            return submit(masters.httpOf.get(leader), body);
          } catch (java.io.IOException e) {
            return null; // a leader that just started its session: asked again
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        });

        // The leader shows the fraction first (the worker reports it there)...
        JsonNode onLeader = awaitProgress(masters, leader, job);
        assertThat(onLeader.path("map").path("fraction").asDouble()).isEqualTo(FRACTION);
        // ...and so does each follower, from the leader's answer.
        for (String id : masters.masters.keySet()) {
          if (id.equals(leader)) {
            continue;
          }
          JsonNode doc = awaitProgress(masters, id, job);
          assertThat(doc.path("state").asText()).isEqualTo("RUNNING");
          assertThat(doc.path("map").path("fraction").asDouble()).as(doc.toString())
              .isEqualTo(FRACTION);
          assertThat(doc.path("progressNote").isNull()).as(doc.toString()).isTrue();
          JsonNode attempt = Await.value(WAIT, "the running map attempt on " + id, () -> masters
              .getJson(masters.httpOf.get(id), "/api/v1/jobs/" + job + "/tasks").map(t -> {
                for (JsonNode task : t.isArray() ? t : t.path("tasks")) {
                  for (JsonNode a : task.path("attempts")) {
                    if (a.path("state").asText().equals("RUNNING")
                        && a.path("progress").asDouble() > 0) {
                      return a;
                    }
                  }
                }
                return null;
              }).orElse(null));
          assertThat(attempt.path("progress").asDouble()).as(attempt.toString())
              .isEqualTo(FRACTION);
        }

        // No one reads the followers' views now: they stop asking the leader (its count of
        // answers stands still over three readings a second apart; they asked twice a second)...
        String leaderHttp = masters.httpOf.get(leader);
        long[] last = {served(leaderHttp), 0};
        long still = Await.value(WAIT, "the followers no longer asking the leader", () -> {
          sleepASecond();
          long now = served(leaderHttp);
          last[1] = now == last[0] ? last[1] + 1 : 0;
          last[0] = now;
          return last[1] >= 3 ? now : null;
        });
        // ...and a request to a follower's job API has it ask again, with the leader's answer.
        String follower = masters.masters.keySet().stream().filter(id -> !id.equals(leader))
            .findFirst().orElseThrow();
        JsonNode doc = awaitProgress(masters, follower, job);
        assertThat(doc.path("map").path("fraction").asDouble()).isEqualTo(FRACTION);
        assertThat(doc.path("progressNote").isNull()).as(doc.toString()).isTrue();
        Await.value(WAIT, "the follower asking the leader again", () -> {
          awaitProgress(masters, follower, job);
          return served(leaderHttp) > still ? true : null;
        });
      } finally {
        worker.terminate();
        worker.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }

  private String submit(String hostPort, byte[] body)
      throws java.io.IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort
            + ClusterHttp.JOBS)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 202
        ? InProcessMasters.JSON.readTree(r.body()).path("id").asText() : null;
  }

  /** The leader's count of answers to the followers' progress requests, from its /metrics. */
  private long served(String hostPort) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort
          + "/metrics")).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.body().lines().filter(l -> l.startsWith("quern_leader_progress_served_total "))
          .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim()))
          .findFirst().orElseThrow(() -> new AssertionError("no progress count in " + r.body()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The pace of the readings of a count that should stand still (not a synchronisation). */
  private static void sleepASecond() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The job's document on master {@code id} once its map progress is above 0. */
  private static JsonNode awaitProgress(InProcessMasters masters, String id, String job) {
    return Await.value(WAIT, "map progress above 0 on master " + id, () -> masters
        .getJson(masters.httpOf.get(id), "/api/v1/jobs/" + job)
        .filter(d -> d.path("map").path("fraction").asDouble() > 0).orElse(null));
  }
}
