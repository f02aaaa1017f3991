package dev.quern.master.http;

import dev.quern.master.engine.LiveCluster;
import dev.quern.master.http.login.UiLogin;
import dev.quern.master.http.metrics.QuernMetrics;
import io.javalin.config.RoutesConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The web UI and its JSON API ({@code /api/v1}, {@code /metrics}) on a server someone else runs:
 * a master process serves them over its replicated book beside its own cluster endpoints.
 * Close it with the server.
 */
public final class UiRoutes implements AutoCloseable {
  private final EventHub events;

  private UiRoutes(EventHub events) {
    this.events = events;
  }

  /**
   * Registers the API, {@code /metrics} (with the jobs' metrics added to {@code metrics}) and
   * the UI's files (last: they take every other GET).
   */
  public static UiRoutes register(RoutesConfig routes, LiveCluster cluster,
      PrometheusRegistry metrics) {
    MonitoringSource source = new LocalClusterSource(cluster);
    return register(routes, source, source, metrics);
  }

  /**
   * As {@link #register(RoutesConfig, LiveCluster, PrometheusRegistry)}, with the jobs of {@code
   * history} behind the live ones ({@link CombinedSource}): a master's retired jobs. The job
   * metrics count the live jobs only (a scrape reads no history files).
   */
  public static UiRoutes register(RoutesConfig routes, LiveCluster cluster, HistoryStore history,
      PrometheusRegistry metrics) {
    return register(routes, cluster, history, metrics, UiLogin.off());
  }

  /**
   * As {@link #register(RoutesConfig, LiveCluster, HistoryStore, PrometheusRegistry)}, behind
   * {@code login} (the login page, {@code /logout}, and the check of every request when a login
   * is required). Give the same {@code login} to {@link TokenGuard} on a secured master.
   */
  public static UiRoutes register(RoutesConfig routes, LiveCluster cluster, HistoryStore history,
      PrometheusRegistry metrics, UiLogin login) {
    MonitoringSource live = new LocalClusterSource(cluster);
    return register(routes, new CombinedSource(live, new HistorySource(history)), live, metrics,
        login);
  }

  private static UiRoutes register(RoutesConfig routes, MonitoringSource source,
      MonitoringSource measured, PrometheusRegistry metrics) {
    return register(routes, source, measured, metrics, UiLogin.off());
  }

  private static UiRoutes register(RoutesConfig routes, MonitoringSource source,
      MonitoringSource measured, PrometheusRegistry metrics, UiLogin login) {
    metrics.register(new QuernMetrics(measured));
    EventHub events = new EventHub(source);
    new ApiRoutes(source, metrics, events, login).register(routes);
    WebAssets.register(routes);
    return new UiRoutes(events);
  }

  /** The API's path prefix, {@code /api/v1}. */
  public static String apiPrefix() {
    return ApiRoutes.PREFIX;
  }

  /** Whether a browser follows the events now (its views are read as they change). */
  public boolean watched() {
    return events.watchers() > 0;
  }

  @Override
  public void close() {
    events.close();
  }
}
