package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.http.metrics.JvmMetrics;
import dev.quern.master.http.metrics.MetricsRegistry;
import dev.quern.master.http.metrics.RaftMetricsCollector;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A master's HTTP endpoint: {@code GET /api/cluster} (this master's view of the group),
 * {@code GET /api/cluster/workers} (the live workers; only the leader knows them, so another
 * master redirects there with 307, or answers 503 while it knows no leader's address) and
 * {@code GET /metrics} (this master's Raft node and JVM, in the Prometheus text format: every
 * master answers for itself, so a scraper lists them all).
 */
public final class ClusterHttp implements AutoCloseable {
  public static final String STATUS = "/api/cluster";
  public static final String WORKERS = "/api/cluster/workers";
  public static final String METRICS = "/metrics";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Javalin app;
  private final String host;

  private ClusterHttp(Javalin app, String host) {
    this.app = app;
    this.host = host;
  }

  /** Serves on {@code host:port} (port 0: any free one). */
  public static ClusterHttp start(String host, int port, MasterProcessConfig config,
      RaftMonitor monitor, ClusterBoard board, Clock clock) {
    Routes routes = new Routes(config, monitor, board, clock);
    MetricsRegistry metrics = new MetricsRegistry()
        .register(new RaftMetricsCollector(monitor.metrics()))
        .register(new JvmMetrics());
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      dev.quern.master.cluster.jars.JarRoutes.register(c.routes, config, monitor, board);
      c.routes.before("/api/*", Routes::guard);
      c.routes.before(METRICS, Routes::guard);
      c.routes.get(METRICS, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
          .result(metrics.scrape()));
      c.routes.get(STATUS, routes::status);
      c.routes.get(WORKERS, routes::workers);
    });
    try {
      app.start(host, port);
    } catch (RuntimeException e) {
      try {
        app.stop();
      } catch (RuntimeException ignored) {
        // the start failure is the news
      }
      throw new IllegalStateException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new ClusterHttp(app, host);
  }

  public int port() {
    return app.port();
  }

  /** {@code host:port} as bound. */
  public String address() {
    return host + ":" + port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private record Routes(MasterProcessConfig config, RaftMonitor monitor, ClusterBoard board,
      Clock clock) {

    /** Loopback only, and no DNS rebinding: a request must name a loopback host. */
    static void guard(Context ctx) {
      String h = ctx.host() == null ? "" : ctx.host().replaceFirst(":\\d+$", "");
      if (!List.of("127.0.0.1", "localhost", "[::1]").contains(h)) {
        ctx.status(403).result("refused: Host '" + ctx.host() + "' is not a loopback address");
        ctx.skipRemainingHandlers();
      }
    }

    void status(Context ctx) {
      Optional<RaftStatus> s = monitor.status();
      String leader = s.map(x -> config.masterId(x.leader())).orElse("");
      List<ClusterDocs.Master> masters = new ArrayList<>();
      config.peers().forEach((id, raft) -> masters.add(new ClusterDocs.Master(id, raft.toString(),
          board.httpAddress(id).orElse(""))));
      json(ctx, 200, new ClusterDocs.Status(config.id(), s.map(x -> x.role().name()).orElse("STARTING"),
          s.map(RaftStatus::term).orElse(0L), leader,
          leader.isEmpty() ? "" : board.httpAddress(leader).orElse(""),
          s.map(RaftStatus::commit).orElse(0L), s.map(RaftStatus::applied).orElse(0L),
          config.raft().toString(), board.httpAddress(config.id()).orElse(""), masters));
    }

    void workers(Context ctx) {
      Optional<RaftStatus> s = monitor.status();
      ClusterBoard.Workers w = board.workers();
      boolean leads = s.isPresent() && s.get().isLeader() && s.get().term() == w.term();
      if (!leads) {
        String leader = s.map(x -> config.masterId(x.leader())).orElse("");
        if (leader.equals(config.id())) {
          leader = ""; // it has just been elected and has not yet heard from anyone
        }
        String http = leader.isEmpty() ? "" : board.httpAddress(leader).orElse("");
        if (http.isEmpty()) {
          json(ctx, 503, new ClusterDocs.NotLeader("master " + config.id() + " does not lead and "
              + (leader.isEmpty() ? "knows no leader yet" : "does not know leader " + leader
              + "'s HTTP address yet"), leader, ""));
          return;
        }
        ctx.header("Location", "http://" + http + WORKERS);
        json(ctx, 307, new ClusterDocs.NotLeader("master " + config.id() + " does not lead; "
            + leader + " does", leader, http));
        return;
      }
      long now = clock.millis();
      List<ClusterDocs.Worker> docs = new ArrayList<>();
      for (LiveWorker lw : w.workers()) {
        docs.add(new ClusterDocs.Worker(lw.id(), lw.address(), lw.slots(), lw.freeSlots(),
            lw.running(), lw.registered().toString(), lw.lastHeartbeat().toString(),
            Duration.ofMillis(now - lw.lastHeartbeat().toEpochMilli()).toMillis()));
      }
      json(ctx, 200, new ClusterDocs.Workers(config.id(), w.term(), docs));
    }

    private static void json(Context ctx, int status, Object body) {
      try {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
