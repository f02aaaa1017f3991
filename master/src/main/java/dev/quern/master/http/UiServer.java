package dev.quern.master.http;

import dev.quern.master.http.metrics.QuernMetrics;
import dev.quern.master.local.LocalCluster;
import dev.quern.worker.metrics.LazyJvmMetrics;
import io.javalin.Javalin;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.BindException;
import org.eclipse.jetty.server.handler.GracefulHandler;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring server: the JSON API, {@code /metrics}, the event stream and the browser app
 * (assets of the web-ui module, from the classpath), on 127.0.0.1.
 *
 * <pre>{@code
 * try (UiServer ui = UiServer.start(source, 8080)) {
 *   System.out.println("Quern UI: " + ui.url());
 * }
 * }</pre>
 */
public final class UiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UiServer.class);
  static final String HOST = "127.0.0.1";
  /** How many ports after a taken one {@link #start} tries. */
  static final int PORT_TRIES = 20;
  /** How long stopping waits for requests in flight. */
  static final long STOP_GRACE_MS = 2_000;

  private final Javalin app;
  private final EventHub events;
  private final PrometheusRegistry metrics;
  private final AutoCloseable owned;

  private UiServer(Javalin app, EventHub events, PrometheusRegistry metrics, AutoCloseable owned) {
    this.app = app;
    this.events = events;
    this.metrics = metrics;
    this.owned = owned;
  }

  /**
   * Serves {@code source} on 127.0.0.1. Port 0 picks a free port; when {@code port} is taken, the
   * next free one of the following {@value #PORT_TRIES} is used. {@link #port()} tells which.
   */
  public static UiServer start(MonitoringSource source, int port) {
    return start(source, port, null, null);
  }

  /**
   * Serves only the jobs saved in {@code historyDir} ({@code quern ui --history DIR}).
   */
  public static UiServer startHistory(Path historyDir, int port) {
    return start(new HistorySource(new HistoryStore(historyDir)), port, null,
        LocalAttemptLogs.under(historyDir));
  }

  /**
   * Serves a live source in front of {@code historyDir}, and saves every job of the live source
   * that ends into it. Closing the server stops the saving (after the pending writes).
   */
  public static UiServer startWithHistory(MonitoringSource live, Path historyDir, int port) {
    HistoryStore store = new HistoryStore(historyDir);
    HistoryRecorder recorder = new HistoryRecorder(live, store);
    try {
      return start(new CombinedSource(live, new HistorySource(store)), port, recorder,
          LocalAttemptLogs.under(historyDir));
    } catch (RuntimeException e) {
      recorder.close();
      throw e;
    }
  }

  /**
   * The one call for {@code quern submit --master local --ui-port P}: serves {@code cluster} (and
   * the jobs already in {@code historyDir}, when not null) and saves every job that ends there.
   * Print {@link #url()}; close the server before the cluster.
   */
  public static UiServer startLocal(LocalCluster cluster, int port, Path historyDir) {
    return startLocal(CompletableFuture.completedFuture(cluster), port, historyDir);
  }

  /**
   * As {@link #startLocal(LocalCluster, int, Path)} over a cluster that is still starting, so that
   * the two start side by side: requests wait for the cluster, and the event stream and the
   * history recorder attach to it as it comes up (on the thread that completes the future).
   */
  public static UiServer startLocal(CompletableFuture<LocalCluster> cluster, int port,
      Path historyDir) {
    LocalClusterSource live = new LocalClusterSource(cluster);
    return historyDir == null ? start(live, port) : startWithHistory(live, historyDir, port);
  }

  /**
   * @param logs local mode's attempt logs, served at the API's logs route (null: no such route)
   */
  private static UiServer start(MonitoringSource source, int port, AutoCloseable owned,
      LocalAttemptLogs logs) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("UI port must be 0 to 65535, got " + port);
    }
    int last = port == 0 ? 0 : Math.min(65535, port + PORT_TRIES);
    RuntimeException lastFailure = null;
    // The process's registry: the jobs' metrics and the JVM's.
    PrometheusRegistry metrics = new PrometheusRegistry();
    metrics.register(new QuernMetrics(source));
    metrics.register(new LazyJvmMetrics()); // JMX only once someone scrapes
    for (int p = port; p <= last; p++) {
      EventHub events = new EventHub(source);
      ApiRoutes api = new ApiRoutes(source, metrics, events);
      Javalin app = Javalin.create(config -> {
        // Stopping lets requests in flight finish (bounded): a kill that ends the command's last
        // job closes the server while the kill's own answer is being written.
        config.jetty.modifyServer(server -> {
          server.setStopTimeout(STOP_GRACE_MS);
          server.setHandler(new GracefulHandler());
        });
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        api.register(config.routes);
        if (logs != null) {
          LocalLogRoutes.register(config.routes, source, logs);
        }
        // After the API: its routes match first, the app's files take every other GET.
        WebAssets.register(config.routes);
      });
      try {
        app.start(HOST, p);
        UiServer server = new UiServer(app, events, metrics, owned);
        log.info("Quern UI listening on {}", server.url());
        return server;
      } catch (RuntimeException e) {
        events.close();
        stopQuietly(app);
        if (!isBindFailure(e)) {
          throw e;
        }
        log.info("UI port {} is taken, trying the next one", p);
        lastFailure = e;
      }
    }
    throw new IllegalStateException("no free UI port in " + port + ".." + last + " on " + HOST,
        lastFailure);
  }

  public int port() {
    return app.port();
  }

  /** {@code http://127.0.0.1:PORT/}. */
  public String url() {
    return "http://" + HOST + ":" + port() + "/";
  }

  /** The registry behind {@code /metrics}, for the engine to add its own collectors to. */
  public PrometheusRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    events.close();
    stopQuietly(app);
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("closing {} failed", owned, e);
      }
    }
  }

  private static void stopQuietly(Javalin app) {
    try {
      app.stop();
    } catch (RuntimeException e) {
      log.debug("stopping the UI server: {}", e.toString());
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("Port already in use")) {
        return true;
      }
    }
    return false;
  }
}
