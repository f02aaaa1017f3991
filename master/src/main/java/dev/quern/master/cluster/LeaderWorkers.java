package dev.quern.master.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.engine.WorkerView;
import dev.quern.raft.node.RaftMonitor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live workers as this master can show them. Only the leader hears heartbeats, so a master
 * that does not lead asks the leader ({@code GET /api/cluster/workers}) and shows its answer: the
 * web UI's workers page and {@code /api/v1/workers} then read the same on every master, rather
 * than an empty list on followers (a redirect would not do: the UI's requests would cross to
 * another origin). An answer is kept for a second, so pages that refresh often cost the leader
 * one request a second per follower; while the leader does not answer, the last answer is shown.
 */
final class LeaderWorkers {
  private static final Logger log = LoggerFactory.getLogger(LeaderWorkers.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration KEEP = Duration.ofSeconds(1);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final MasterProcessConfig config;
  private final RaftMonitor raft;
  private final ClusterBoard board;
  private final Clock clock;
  private final Supplier<HttpClient> http;
  private List<WorkerView> last = List.of();
  private String lastLeader = "";
  private long fetchedAt = Long.MIN_VALUE;

  LeaderWorkers(MasterProcessConfig config, RaftMonitor raft, ClusterBoard board, Clock clock) {
    this.config = config;
    this.raft = raft;
    this.board = board;
    this.clock = clock;
    this.http = new Supplier<>() {
      private HttpClient client;

      @Override
      public synchronized HttpClient get() {
        if (client == null) {
          client = dev.quern.worker.security.ClusterAccess.of(config.security()).clientBuilder()
              .connectTimeout(TIMEOUT).build();
        }
        return client;
      }
    };
  }

  /** {@code https} on a secured cluster, where masters serve nothing else. */
  private String scheme() {
    return config.security() == null ? "http" : "https";
  }

  /** The leader's workers: from its own board on the leader, else the leader's last answer. */
  synchronized List<WorkerView> workers() {
    boolean leads = raft.status().map(s -> s.isLeader()).orElse(false);
    if (leads) {
      return fromBoard();
    }
    String leader = raft.status().map(s -> Members.of(config, raft).masterId(s.leader()))
        .orElse("");
    String address = leader.isEmpty() || leader.equals(config.id()) ? ""
        : board.httpAddress(leader).orElse("");
    if (address.isEmpty()) {
      return List.of();
    }
    long now = clock.millis();
    if (leader.equals(lastLeader) && now - fetchedAt < KEEP.toMillis()) {
      return last;
    }
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create(
          scheme() + "://" + address + ClusterHttp.WORKERS)).timeout(TIMEOUT).GET();
      if (config.security() != null) {
        b.header(dev.quern.worker.security.HttpAuth.HEADER,
            dev.quern.worker.security.HttpAuth.bearer(config.security().clientToken()));
      }
      HttpResponse<String> r = http.get().send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = parse(JSON.readTree(r.body()));
        lastLeader = leader;
        fetchedAt = now;
      }
    } catch (java.io.IOException e) {
      log.debug("leader {} at {} did not list its workers: {}", leader, address, e.toString());
      fetchedAt = now; // not again within the second: a dead leader would slow every page
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return last;
  }

  private List<WorkerView> fromBoard() {
    return board.workers().workers().stream().map(w -> new WorkerView(w.id(),
        host(w.address()), w.slots(), w.running(), w.lastHeartbeat().toEpochMilli())).toList();
  }

  static List<WorkerView> parse(JsonNode doc) {
    List<WorkerView> out = new ArrayList<>();
    for (JsonNode w : doc.path("workers")) {
      List<String> running = new ArrayList<>();
      w.path("running").forEach(a -> running.add(a.asText()));
      out.add(new WorkerView(w.path("id").asText(), host(w.path("address").asText()),
          w.path("slots").asInt(), running,
          Instant.parse(w.path("lastHeartbeat").asText()).toEpochMilli()));
    }
    return out;
  }

  private static String host(String address) {
    return address.replaceFirst(":\\d+$", "");
  }
}
