package dev.quern.master.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.quern.raft.RaftStatus;
import dev.quern.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Three real masters (Raft over Artery, HTTP on real sockets) in the test's JVM, with fast Raft
 * time. {@link #close} stops every master still running.
 */
public final class InProcessMasters implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The running masters by id; a test may stop one and remove it. */
  public final Map<String, MasterProcess> masters = new TreeMap<>();
  /** Each master's HTTP address by id (kept after it stops). */
  public final Map<String, String> httpOf = new TreeMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .build();
  private Path root;

  /**
   * Starts the three under {@code tmp} (data of master {@code id} in {@code root()/id}). Raft
   * ports must be known before the masters start, so they cannot be 0: drawn below the kernel's
   * ephemeral range (where no port-0 bind lands), and if another process takes one first, that
   * master fails to bind and the group is started again on other ports.
   */
  public InProcessMasters start(Path tmp) {
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      SplittableRandom random = new SplittableRandom(); // the environment's, not the scenario's
      Map<String, Object> peers = new TreeMap<>();
      for (int i = 0; i < 3; i++) {
        peers.put("m" + (i + 1), "127.0.0.1:" + random.nextInt(10_000, 32_000));
      }
      root = tmp.resolve("round-" + round);
      try {
        for (String id : peers.keySet()) {
          MasterProcessConfig config = MasterProcessConfig.from(ConfigFactory.parseMap(Map.of(
              "quern.master.id", id, "quern.master.data", root.resolve(id).toString(),
              "quern.master.peers", peers, "quern.master.tick", "50ms",
              "quern.master.hello-interval", "200ms")));
          MasterProcess m = MasterProcess.start(config, ConfigFactory.empty());
          masters.put(id, m);
          httpOf.put(id, m.httpAddress());
        }
        return this;
      } catch (IOException | RuntimeException e) {
        failures.add(peers + ": " + e);
        close();
        masters.clear();
        httpOf.clear();
      }
    }
    throw new AssertionError("could not start three masters: " + failures);
  }

  /** Where the masters keep their data ({@code root()/<id>}). */
  public Path root() {
    return root;
  }

  /** The leader, once one leads and every master knows every master's HTTP address. */
  public String awaitLeader(Duration bound) {
    return Await.value(bound, "a leader, and every master knowing every HTTP address", () -> {
      String leader = null;
      for (Map.Entry<String, MasterProcess> m : masters.entrySet()) {
        Optional<RaftStatus> s = m.getValue().monitor().status();
        if (s.isPresent() && s.get().isLeader()) {
          leader = m.getKey();
        }
        Optional<JsonNode> doc = getJson(httpOf.get(m.getKey()), "/api/cluster");
        if (doc.isEmpty()) {
          return null;
        }
        for (JsonNode peer : doc.get().path("masters")) {
          if (!httpOf.get(peer.path("id").asText()).equals(peer.path("http").asText())
              && !peer.path("id").asText().equals(m.getKey())) {
            return null;
          }
        }
        if (doc.get().path("leaderHttp").asText().isEmpty()) {
          return null;
        }
      }
      return leader;
    });
  }

  /** {@code GET path} as JSON, or empty unless it answered 200. */
  public Optional<JsonNode> getJson(String hostPort, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    masters.values().forEach(MasterProcess::close);
  }
}
