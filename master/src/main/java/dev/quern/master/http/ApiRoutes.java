package dev.quern.master.http;

import dev.quern.api.JobState;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.ErrorDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import dev.quern.master.http.json.WorkerDoc;
import dev.quern.master.http.json.WorkerPageDoc;
import dev.quern.master.http.json.WorkerPageDoc.WorkerAttemptDoc;
import dev.quern.master.http.login.UiLogin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import dev.quern.worker.metrics.MetricsText;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON API under {@value #PREFIX}, {@code /metrics}, and the JSON error answers. */
final class ApiRoutes {
  static final String PREFIX = "/api/v1";
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

  private final MonitoringSource source;
  private final PrometheusRegistry metrics;
  private final EventHub events;
  private final UiLogin login;

  /** A local UI: its login as the JVM's system properties ask ({@code -Dquern.ui.*}). */
  ApiRoutes(MonitoringSource source, PrometheusRegistry metrics, EventHub events) {
    this(source, metrics, events, UiLogin.create(
        dev.quern.master.http.login.LoginSettings.fromSystemProperties(), null, true,
        java.time.Clock.systemUTC()));
  }

  ApiRoutes(MonitoringSource source, PrometheusRegistry metrics, EventHub events,
      UiLogin login) {
    this.source = source;
    this.metrics = metrics;
    this.events = events;
    this.login = login;
  }

  void register(RoutesConfig routes) {
    // Every path: the pages and /metrics answer a rebinding attacker's page as the API would.
    routes.before(ApiRoutes::guard);
    // Then the login, when one is required: the login page itself and its style are open.
    routes.before(login::check);
    login.register(routes);
    routes.get(PREFIX + "/cluster", ctx -> json(ctx, 200, source.cluster()));
    routes.get(PREFIX + "/jobs", this::jobs);
    routes.get(PREFIX + "/jobs/{id}", ctx -> json(ctx, 200, job(ctx.pathParam("id"))));
    routes.get(PREFIX + "/jobs/{id}/tasks", ctx -> json(ctx, 200, tasks(ctx.pathParam("id"))));
    routes.post(PREFIX + "/jobs/{id}/kill", this::kill);
    routes.get(PREFIX + "/workers/{id}", ctx -> json(ctx, 200, worker(ctx.pathParam("id"))));
    routes.sse(PREFIX + "/events", events::accept);
    routes.get("/metrics", ctx -> ctx.contentType(MetricsText.CONTENT_TYPE)
        .result(MetricsText.scrape(metrics)));

    routes.exception(LiveCluster.Unavailable.class, (e, ctx) -> json(ctx, 503,
        new ErrorDoc(e.getMessage())));
    routes.exception(ApiException.class, (e, ctx) -> json(ctx, e.status(),
        new ErrorDoc(e.getMessage())));
    routes.exception(Exception.class, (e, ctx) -> {
      log.error("{} {} failed", ctx.method(), ctx.path(), e);
      json(ctx, 500, new ErrorDoc("internal error: " + e));
    });
    routes.error(404, ctx -> {
      // Not over an answer a handler gave (LeaderForward's page or its leader's bytes).
      if (ctx.attribute(LeaderForward.ANSWERED) == null && ctx.path().startsWith(PREFIX)
          && !String.valueOf(ctx.result()).startsWith("{")) {
        json(ctx, 404, new ErrorDoc("no such endpoint: " + ctx.method() + " " + ctx.path()));
      }
    });
    routes.error(405, ctx -> {
      if (ctx.path().startsWith(PREFIX)) {
        json(ctx, 405, new ErrorDoc("method " + ctx.method() + " not allowed on " + ctx.path()));
      }
    });
  }

  /**
   * The server listens on loopback only, but any web page the user opens can still send requests
   * to it. A request whose Host is not a loopback name (DNS rebinding) is refused, and so is a
   * POST from a page of another origin (a browser always sends Origin then; curl sends none).
   */
  private static void guard(Context ctx) {
    if (!HostHeader.allowed(ctx)) {
      throw new ApiException(403, "refused: Host '" + ctx.host() + "' is not a loopback address");
    }
    String origin = ctx.header("Origin");
    // The scheme of the request itself, so the check holds behind TLS too.
    if (ctx.method() == io.javalin.http.HandlerType.POST && origin != null
        && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
      throw new ApiException(403, "refused: a " + ctx.method() + " from origin " + origin);
    }
  }

  private void jobs(Context ctx) {
    String state = ctx.queryParam("state");
    List<JobDoc> all = source.jobs();
    if (state == null || state.isBlank()) {
      json(ctx, 200, all);
      return;
    }
    List<String> wanted = new ArrayList<>();
    for (String s : state.split(",")) {
      String name = s.trim().toUpperCase(Locale.ROOT);
      try {
        wanted.add(JobState.valueOf(name).name());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("bad state '" + s.trim() + "': expected one of "
            + Arrays.toString(JobState.values()));
      }
    }
    json(ctx, 200, all.stream().filter(j -> wanted.contains(j.state())).toList());
  }

  private JobDoc job(String id) {
    return source.job(id).orElseThrow(() -> ApiException.notFound("no job '" + id + "'"));
  }

  private List<TaskDoc> tasks(String id) {
    return source.tasks(id).orElseThrow(() -> ApiException.notFound("no job '" + id + "'"));
  }

  /**
   * 202 with the job's state after the kill (KILLED, as the master publishes it before it
   * answers) and its failure text, which says who killed it and when.
   */
  private void kill(Context ctx) {
    String id = ctx.pathParam("id");
    String by = login.user(ctx).map(u -> u.equals(UiLogin.TOKEN_USER) ? " with the client token"
        : " by user " + u).orElse("");
    String who = (ctx.header("Origin") != null ? "killed in the web UI" : "killed through the "
        + "HTTP API") + by + " (a request from " + ctx.ip() + ")";
    KillOutcome k = source.kill(id, who);
    switch (k.result()) {
      case KILLING -> {
        JobDoc job = source.job(id).orElse(null);
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("id", id);
        body.put("state", job == null ? null : job.state());
        body.put("message", k.message());
        body.put("failure", job == null ? null : job.failure());
        json(ctx, 202, body);
      }
      case NOT_FOUND -> throw ApiException.notFound(k.message());
      case NOT_RUNNING -> throw new ApiException(409, k.message());
    }
  }

  /** A worker and every attempt it ran that the source still knows, newest first. */
  private WorkerPageDoc worker(String id) {
    WorkerDoc worker = source.cluster().workers().stream().filter(w -> w.id().equals(id))
        .findFirst().orElse(null);
    List<WorkerAttemptDoc> attempts = new ArrayList<>();
    for (JobDoc job : source.jobs()) {
      for (TaskDoc t : source.tasks(job.id()).orElse(List.of())) {
        for (AttemptDoc a : t.attempts()) {
          if (id.equals(a.worker())) {
            attempts.add(new WorkerAttemptDoc(job.id(), job.name(), t.id(), a));
          }
        }
      }
    }
    if (worker == null && attempts.isEmpty()) {
      throw ApiException.notFound("no worker '" + id + "'");
    }
    attempts.sort(Comparator.comparing((WorkerAttemptDoc w) -> w.attempt().startTime(),
        Comparator.nullsLast(Comparator.reverseOrder())));
    return new WorkerPageDoc(worker, attempts);
  }

  private static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
