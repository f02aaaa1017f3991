package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.raft.storage.StoreUsage;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The masters page's data. {@code GET /api/cluster/master}: this master's Raft state as it sees it
 * ({@link Detail}), answered by every master for itself. {@code GET /api/v1/masters}: the group,
 * from any master: its own detail and what each other master answers to
 * {@code /api/cluster/master} (asked in parallel at the HTTP address it announced, with a short
 * timeout; a master that does not answer is listed as unreachable, with the reason). So the UI's
 * masters page works the same on a follower and on the leader, without a redirect and without the
 * browser calling other origins.
 */
final class MastersRoutes {
  static final String MASTER = "/api/cluster/master";
  static final String MASTERS = "/api/v1/masters";
  /** How long a master waits for another's answer before it lists it unreachable. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One master's view of itself.
   *
   * @param role LEADER, FOLLOWER, PRE_CANDIDATE, CANDIDATE, or STARTING before the node reported
   * @param leaderId the leader it knows of in {@code term}, "" if none
   * @param commitIndex the highest log index it knows to be committed
   * @param appliedIndex the highest index its job book has applied
   * @param lastIndex the last index in its log
   * @param snapshotIndex the index its latest snapshot covers (0: none yet)
   * @param logEntries entries after the snapshot ({@code lastIndex - snapshotIndex}): what a
   *     restart replays
   * @param walSegments files of its write-ahead log on disk
   * @param walBytes their bytes
   * @param snapshotBytes the bytes of its snapshot file(s)
   * @param voters the masters that vote in the configuration in force
   * @param leaderChanges the leaders it learned of since it started, earliest first (at most
   *     {@value RaftMonitor#LEADER_HISTORY})
   */
  record Detail(String id, String role, long term, String leaderId, long commitIndex,
      long appliedIndex, long lastIndex, long snapshotIndex, long logEntries, int walSegments,
      long walBytes, long snapshotBytes, List<String> voters, List<LeaderChange> leaderChanges) {}

  /**
   * @param at when this master learned of it (ISO-8601, its own clock)
   * @param transfer the leader took over by a leadership transfer (a graceful handoff), not after
   *     an election timeout, as far as this master could tell
   */
  record LeaderChange(long term, String leaderId, String at, boolean transfer) {}

  /**
   * A member of the group on the masters page.
   *
   * @param http its HTTP address as announced, "" until known
   * @param reachable it answered; else {@code error} says why not and {@code status} is null
   */
  record Entry(String id, String raft, String http, boolean reachable, String error,
      Detail status) {}

  /** {@code GET /api/v1/masters}. */
  record Masters(String servedBy, List<Entry> masters) {}

  private final MasterProcessConfig config;
  private final RaftMonitor monitor;
  private final ClusterBoard board;
  private final dev.quern.worker.security.ClusterAccess access;
  private final HttpClient http;

  private MastersRoutes(MasterProcessConfig config, RaftMonitor monitor, ClusterBoard board) {
    this.access = dev.quern.worker.security.ClusterAccess.of(config.security());
    this.http = access.clientBuilder().connectTimeout(ASK_TIMEOUT).build();
    this.config = config;
    this.monitor = monitor;
    this.board = board;
  }

  static void register(RoutesConfig routes, MasterProcessConfig config, RaftMonitor monitor,
      ClusterBoard board) {
    MastersRoutes r = new MastersRoutes(config, monitor, board);
    routes.get(MASTER, ctx -> json(ctx, r.detail()));
    routes.get(MASTERS, r::masters);
  }

  Detail detail() {
    Optional<RaftStatus> s = monitor.status();
    StoreUsage disk = StoreUsage.of(config.data().resolve("raft"));
    Members members = Members.of(config, monitor);
    List<LeaderChange> changes = new ArrayList<>();
    for (RaftMonitor.LeaderChange c : monitor.leaderChanges()) {
      changes.add(new LeaderChange(c.term(), members.masterId(c.leader()),
          Instant.ofEpochMilli(c.atMillis()).toString(), c.transfer()));
    }
    List<String> voters = new ArrayList<>();
    s.ifPresent(x -> x.voters().forEach(v -> voters.add(members.byNode(v).map(Members.Member::name)
        .orElse(members.masterId(v)))));
    voters.sort(null); // by id, not by node number
    long last = s.map(RaftStatus::lastIndex).orElse(0L);
    long snap = s.map(RaftStatus::snapshotIndex).orElse(0L);
    return new Detail(config.id(), s.map(x -> x.role().name()).orElse("STARTING"),
        s.map(RaftStatus::term).orElse(0L), s.map(x -> members.masterId(x.leader())).orElse(""),
        s.map(RaftStatus::commit).orElse(0L), s.map(RaftStatus::applied).orElse(0L), last, snap,
        last - snap, disk.walSegments(), disk.walBytes(), disk.snapshotBytes(), voters, changes);
  }

  private void masters(Context ctx) {
    Map<String, CompletableFuture<Entry>> asked = new LinkedHashMap<>();
    Members.of(config, monitor).list().forEach(m -> {
      String id = m.name();
      String raft = m.raft() == null ? "" : m.raft().toString();
      String address = board.httpAddress(id).orElse("");
      if (id.equals(config.id())) {
        asked.put(id, CompletableFuture.completedFuture(
            new Entry(id, raft, address, true, "", detail())));
      } else if (address.isEmpty()) {
        asked.put(id, CompletableFuture.completedFuture(new Entry(id, raft, "", false,
            "its HTTP address is not known here yet (it has not announced itself)", null)));
      } else {
        asked.put(id, ask(id, raft, address));
      }
    });
    List<Entry> out = new ArrayList<>();
    asked.values().forEach(f -> out.add(f.join()));
    json(ctx, new Masters(config.id(), out));
  }

  private CompletableFuture<Entry> ask(String id, String raft, String address) {
    HttpRequest.Builder b = HttpRequest.newBuilder(access.uri(address, MASTER))
        .timeout(ASK_TIMEOUT).header("Accept", "application/json");
    if (config.security() != null) {
      b.header(dev.quern.worker.security.HttpAuth.HEADER,
          dev.quern.worker.security.HttpAuth.bearer(config.security().clientToken()));
    }
    HttpRequest req = b.build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      if (e != null) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Entry(id, raft, address, false, "no answer from " + address + ": "
            + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null);
      }
      if (r.statusCode() != 200) {
        return new Entry(id, raft, address, false, address + " answered " + r.statusCode(), null);
      }
      try {
        return new Entry(id, raft, address, true, "", JSON.readValue(r.body(), Detail.class));
      } catch (JsonProcessingException bad) {
        return new Entry(id, raft, address, false, "unreadable answer from " + address + ": "
            + bad.getOriginalMessage(), null);
      }
    });
  }

  private static void json(Context ctx, Object body) {
    try {
      ctx.status(200).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
