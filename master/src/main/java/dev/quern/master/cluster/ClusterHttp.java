package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.cluster.jars.BlobKind;
import dev.quern.master.cluster.jars.SplitLists;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.http.UiRoutes;
import dev.quern.master.http.metrics.RaftMetricsCollector;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A master's HTTP endpoint: {@code GET /api/cluster} (this master's view of the group),
 * {@code GET /api/cluster/workers} (the live workers; only the leader knows them, so another
 * master redirects there with 307, or answers 503 while it knows no leader's address),
 * {@code POST /api/cluster/jobs} (a submission, {@link SubmissionWire}; the leader's),
 * {@code POST/PUT/GET /api/cluster/jars[/{sha256}]} (the jar store, {@code jars.JarRoutes}),
 * {@code POST/PUT/GET /api/cluster/splits[/{sha256}]} (the split store, {@code jars.SplitLists}),
 * the web UI with its JSON API under {@code /api/v1} over this master's copy of the replicated
 * book (kills are the leader's), and {@code GET /metrics} (this master's Raft node, JVM and jobs,
 * in the Prometheus text format: every master answers for itself, so a scraper lists them all).
 */
public final class ClusterHttp implements AutoCloseable {
  public static final String STATUS = "/api/cluster";
  public static final String WORKERS = "/api/cluster/workers";
  public static final String METRICS = "/metrics";
  /** {@code POST}: a job, as {@link SubmissionWire} writes it; the leader answers. */
  public static final String JOBS = "/api/cluster/jobs";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Javalin app;
  private final String host;
  private final SplitLists splits;
  private final UiRoutes ui;

  private final String scheme;
  /** Asks the leader for attempt progress while this master does not lead. */
  private LeaderProgress leaderProgress;

  private ClusterHttp(Javalin app, String host, UiRoutes ui, SplitLists splits, String scheme) {
    this.scheme = scheme;
    this.app = app;
    this.host = host;
    this.splits = splits;
    this.ui = ui;
  }

  /**
   * Serves on {@code host:port} (port 0: any free one): the cluster's own endpoints, and the web
   * UI with its API over {@code jobs} (this master's copy of the replicated book).
   *
   * @param leader submissions and kills, which only the leader takes (others redirect there)
   * @param book this master's applied book: its job count, and the history of retired jobs
   * @param uiLogin the web UI's login ({@code quern.ui}); a secured master always asks for one
   */
  public static ClusterHttp start(String host, int port, MasterProcessConfig config,
      RaftMonitor monitor, ClusterBoard board, Clock clock, LiveCluster jobs, LeaderPort leader,
      BookViews book, MembershipRoutes.Port members,
      dev.quern.master.http.login.LoginSettings uiLogin) {
    dev.quern.master.http.login.UiLogin login = dev.quern.master.http.login.UiLogin.create(
        uiLogin, config.security(), dev.quern.master.http.login.UiLogin.loopback(host), clock);
    SplitLists splits = SplitLists.open(config, monitor, board);
    Routes routes = new Routes(config, monitor, board, clock, leader, splits,
        new dev.quern.master.http.LeaderForward(
            dev.quern.worker.security.ClusterAccess.of(config.security())));
    // This master process's one registry: its Raft node, JVM, book, and (UiRoutes) jobs.
    PrometheusRegistry metrics = new PrometheusRegistry();
    metrics.register(new RaftMetricsCollector(monitor.metrics()));
    JvmMetrics.builder().register(metrics);
    GaugeWithCallback.builder().name("quern_book_jobs")
        .help("Jobs in this master's applied copy of the replicated book; ended jobs leave it "
            + "after quern.master.retention and are served from history.")
        .callback(cb -> cb.call(book.bookJobs())).register(metrics);
    UiRoutes[] ui = new UiRoutes[1];
    // Asks the leader for attempt progress while this master does not lead and its views are read.
    LeaderProgress progress = LeaderProgress.create(config, monitor, board, book.progress(),
        () -> ui[0] != null && ui[0].watched(), metrics);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      if (config.security() != null) {
        // HTTPS only, with the node identity: this connector replaces Javalin's plain one.
        c.jetty.addConnector((server, http) -> dev.quern.worker.security.HttpsConnector.create(
            server, http, config.security(), host, port));
      }
      dev.quern.master.cluster.jars.JarRoutes.register(c.routes, config, monitor, board);
      splits.register(c.routes);
      if (config.security() != null) {
        // First of all: without the client token nothing is served, not even the UI's files.
        c.routes.before(ctx -> dev.quern.master.http.TokenGuard.check(ctx, config.security(),
            login));
      }
      c.routes.before("/api/*", Routes::guard);
      c.routes.before(METRICS, Routes::guard);
      c.routes.get(STATUS, routes::status);
      c.routes.get(WORKERS, routes::workers);
      progress.register(c.routes, UiRoutes.apiPrefix()); // followers ask it
      MastersRoutes.register(c.routes, config, monitor, board); // the masters page's data
      MembershipRoutes.register(c.routes, config, monitor, members, routes::redirectToLeader);
      // Attempt logs, the workers page (executors): a follower asks the leader itself, so a
      // browser keeps its origin and session (LeaderForward).
      OperationsRoutes.register(c.routes, config, monitor, board, clock, jobs, book,
          routes::forwardToLeader);
      c.routes.post(JOBS, routes::submit);
      // Kills are the leader's: another master forwards them before the API's handler runs.
      c.routes.before(UiRoutes.apiPrefix() + "/jobs/{id}/kill", routes::leaderOnly);
      // Retired jobs (retention) are served from this master's history (DATA/history).
      ui[0] = UiRoutes.register(c.routes, jobs, book.history(), metrics, login);
    });
    try {
      app.start(host, port);
    } catch (RuntimeException e) {
      progress.close();
      try {
        app.stop();
      } catch (RuntimeException ignored) {
        // the start failure is the news
      }
      throw new IllegalStateException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    ClusterHttp started = new ClusterHttp(app, host, ui[0], splits,
        config.security() == null ? "http" : "https");
    started.leaderProgress = progress.start();
    return started;
  }

  /** This master's split lists (the store its routes serve). */
  public SplitLists splitLists() {
    return splits;
  }

  public int port() {
    return app.port();
  }

  /** {@code http} or, when the cluster is secured, {@code https} (the only one served). */
  public String scheme() {
    return scheme;
  }

  /** {@code host:port} as bound. */
  public String address() {
    return host + ":" + port();
  }

  @Override
  public void close() {
    if (leaderProgress != null) {
      leaderProgress.close();
    }
    if (ui != null) {
      ui.close();
    }
    app.stop();
  }

  private record Routes(MasterProcessConfig config, RaftMonitor monitor, ClusterBoard board,
      Clock clock, LeaderPort leader, SplitLists splits,
      dev.quern.master.http.LeaderForward forward) {

    private String scheme() {
      return config.security() == null ? "http" : "https";
    }

    /** A POST only the leader takes (a kill): another master forwards it there, or 503. */
    void leaderOnly(Context ctx) {
      if (ctx.method() == io.javalin.http.HandlerType.POST && !leads()) {
        forwardToLeader(ctx, ctx.path());
        ctx.skipRemainingHandlers();
      }
    }

    private boolean leads() {
      return monitor.status().map(RaftStatus::isLeader).orElse(false);
    }

    /**
     * Answers with the leader's own answer to the same request for {@code path} (asked by this
     * master: {@link dev.quern.master.http.LeaderForward}), or 503 when no leader is known.
     */
    void forwardToLeader(Context ctx, String path) {
      Optional<RaftStatus> s = monitor.status();
      String leader = s.map(x -> Members.of(config, monitor).masterId(x.leader())).orElse("");
      String http = leader.isEmpty() || leader.equals(config.id()) ? ""
          : board.httpAddress(leader).orElse("");
      if (http.isEmpty()) {
        dev.quern.master.http.LeaderForward.error(ctx, 503, "Master " + config.id()
            + " does not lead and " + (leader.isEmpty() || leader.equals(config.id())
            ? "knows no leader yet" : "does not know leader " + leader + "'s HTTP address yet")
            + "; try again in a moment.");
        ctx.header("Retry-After", "1");
        return;
      }
      forward.forward(ctx, leader, http, path);
    }

    /** Answers 307 with the leader's address for {@code path}, or 503 when it is not known. */
    void redirectToLeader(Context ctx, String path) {
      Optional<RaftStatus> s = monitor.status();
      String leader = s.map(x -> Members.of(config, monitor).masterId(x.leader())).orElse("");
      if (leader.equals(config.id())) {
        leader = ""; // elected a moment ago, or deposed: nobody to send the client to yet
      }
      String http = leader.isEmpty() ? "" : board.httpAddress(leader).orElse("");
      if (http.isEmpty()) {
        json(ctx, 503, new ClusterDocs.NotLeader("master " + config.id() + " does not lead and "
            + (leader.isEmpty() ? "knows no leader yet" : "does not know leader " + leader
            + "'s HTTP address yet"), leader, ""));
        return;
      }
      ctx.header("Location", scheme() + "://" + http + path);
      json(ctx, 307, new ClusterDocs.NotLeader("master " + config.id() + " does not lead; "
          + leader + " does", leader, http));
    }

    void submit(Context ctx) {
      if (!leads()) {
        redirectToLeader(ctx, JOBS);
        return;
      }
      SubmissionWire.Submission job;
      try {
        job = SubmissionWire.decode(ctx.bodyAsBytes());
      } catch (IllegalArgumentException e) {
        json(ctx, 400, java.util.Map.of("error", "unreadable submission: " + e.getMessage()));
        return;
      }
      String tooLarge = SubmissionWire.tooLarge(job.spec().name(), ctx.bodyAsBytes().length,
          job.splits().size());
      if (tooLarge != null) {
        json(ctx, 413, java.util.Map.of("error", tooLarge));
        return;
      }
      List<BookSplit> planned = job.splits();
      if (job.stored() != null) {
        // The list was put on a majority of masters before this request; the leader keeps it
        // as soft state to schedule by, whichever master's store it comes from.
        Optional<List<BookSplit>> list;
        try {
          list = splits.load(job.stored());
        } catch (IOException e) {
          json(ctx, 400, java.util.Map.of("error", "job " + job.spec().name() + " was refused: "
              + e.getMessage()));
          return;
        }
        if (list.isEmpty()) {
          json(ctx, 409, java.util.Map.of("error", "job " + job.spec().name() + " was refused: "
              + "no master holds its split list " + job.stored().sha256() + "; upload it ("
              + BlobKind.SPLITS.path() + ") and submit again"));
          return;
        }
        planned = list.get();
      }
      JobLeader.SubmitReply reply = leader.submit(job.spec(), planned, job.stored());
      if (reply instanceof JobLeader.SubmitAccepted a) {
        json(ctx, 202, java.util.Map.of("id", a.jobId()));
      } else if (reply instanceof JobLeader.SubmitRefused r) {
        json(ctx, 400, java.util.Map.of("error", "job " + job.spec().name() + " was refused: "
            + r.reason()));
      } else if (reply instanceof JobLeader.NotLeading n) {
        if (!leads()) {
          redirectToLeader(ctx, JOBS);
        } else {
          json(ctx, 503, java.util.Map.of("error", n.reason()));
        }
      }
    }

    /** No DNS rebinding: a request must name a loopback host or the address it dialled. */
    static void guard(Context ctx) {
      if (!dev.quern.master.http.HostHeader.allowed(ctx)) {
        ctx.status(403).result("refused: Host '" + ctx.host() + "' is not a loopback address");
        ctx.skipRemainingHandlers();
      }
    }

    void status(Context ctx) {
      Optional<RaftStatus> s = monitor.status();
      String leader = s.map(x -> Members.of(config, monitor).masterId(x.leader())).orElse("");
      List<ClusterDocs.Master> masters = new ArrayList<>();
      Members.of(config, monitor).list().forEach(m -> masters.add(new ClusterDocs.Master(m.name(),
          m.raft() == null ? "" : m.raft().toString(), board.httpAddress(m.id()).orElse(""))));
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
        redirectToLeader(ctx, WORKERS);
        return;
      }
      long now = clock.millis();
      List<ClusterDocs.Worker> docs = new ArrayList<>();
      for (LiveWorker lw : w.workers()) {
        docs.add(new ClusterDocs.Worker(lw.id(), lw.address(), lw.slots(), lw.freeSlots(),
            lw.running(), lw.registered().toString(), lw.lastHeartbeat().toString(),
            Duration.ofMillis(now - lw.lastHeartbeat().toEpochMilli()).toMillis(), lw.http(),
            lw.http().isEmpty() ? "" : scheme() + "://" + lw.http() + METRICS));
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
