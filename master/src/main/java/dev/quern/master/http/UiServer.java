package dev.quern.master.http;

import dev.quern.master.http.login.LoginSettings;
import dev.quern.master.http.login.UiLogin;
import dev.quern.master.http.metrics.QuernMetrics;
import dev.quern.master.local.LocalCluster;
import dev.quern.worker.metrics.LazyJvmMetrics;
import io.javalin.Javalin;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring server: the JSON API, {@code /metrics}, the event stream and the browser app
 * (assets of the web-ui module, from the classpath), on 127.0.0.1.
 *
 * <p>The port is bound at start, but the HTTP server behind it (Javalin on Jetty: some thousand
 * classes to load and initialise, its threads) starts only when the first connection comes; the
 * client's connection waits in the port's backlog meanwhile. A local job that nobody watches
 * thus pays for a bound socket and one thread blocked on it, not for a server: with the server
 * started at once, a small local job took about a quarter more CPU with the UI than without it.
 * The event stream's state tracking and the history recorder run from the start all the same,
 * so what the first page shows is what an eagerly started server would have shown.
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

  private final ServerSocketChannel channel;
  private final int port;
  private final MonitoringSource source;
  private final LocalAttemptLogs logs;
  private final EventHub events;
  private final PrometheusRegistry metrics;
  /** Read at start, as the JVM's properties are then; the login itself is made with the server. */
  private final LoginSettings login;
  private final AutoCloseable owned;
  private final Selector selector;
  private final Object lock = new Object();
  /** The server, from the first connection on. */
  private Javalin app;
  private boolean closed;

  private UiServer(ServerSocketChannel channel, MonitoringSource source, LocalAttemptLogs logs,
      AutoCloseable owned) throws IOException {
    this.channel = channel;
    this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    this.source = source;
    this.logs = logs;
    this.owned = owned;
    // The process's registry: the jobs' metrics and the JVM's.
    this.metrics = new PrometheusRegistry();
    metrics.register(new QuernMetrics(source));
    metrics.register(new LazyJvmMetrics()); // JMX only once someone scrapes
    this.events = new EventHub(source);
    try {
      // The login is made with the server; its settings are read and checked now, so that a
      // bad one fails the start rather than the first request.
      this.login = LoginSettings.fromSystemProperties();
      UiLogin.check(login, true);
      channel.configureBlocking(false);
      this.selector = Selector.open();
      channel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      events.close();
      throw e;
    }
    Thread waker = new Thread(this::awaitFirstConnection, "quern-ui-start");
    waker.setDaemon(true);
    waker.start();
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
   * Binds the port now and serves it from the first connection on (see the class comment).
   *
   * @param logs local mode's attempt logs, served at the API's logs route (null: no such route)
   */
  private static UiServer start(MonitoringSource source, int port, AutoCloseable owned,
      LocalAttemptLogs logs) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("UI port must be 0 to 65535, got " + port);
    }
    int last = port == 0 ? 0 : Math.min(65535, port + PORT_TRIES);
    IOException lastFailure = null;
    for (int p = port; p <= last; p++) {
      ServerSocketChannel channel = null;
      try {
        channel = ServerSocketChannel.open();
        // As Jetty binds its own: a port in TIME_WAIT from an earlier run is free again.
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.bind(new InetSocketAddress(HOST, p));
      } catch (BindException e) {
        closeQuietly(channel);
        log.info("UI port {} is taken, trying the next one", p);
        lastFailure = e;
        continue;
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException("cannot open the UI port " + p + " on " + HOST, e);
      }
      try {
        UiServer server = new UiServer(channel, source, logs, owned);
        log.info("Quern UI listening on {}", server.url());
        return server;
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
        throw e instanceof IOException io
            ? new UncheckedIOException("cannot serve the UI port " + p, io)
            : (RuntimeException) e;
      }
    }
    throw new IllegalStateException("no free UI port in " + port + ".." + last + " on " + HOST,
        lastFailure);
  }

  /** Waits for the first connection on its own thread, then starts the server for it. */
  private void awaitFirstConnection() {
    try {
      while (true) {
        selector.select();
        synchronized (lock) {
          if (closed) {
            return;
          }
        }
        if (!selector.selectedKeys().isEmpty()) {
          break;
        }
      }
    } catch (IOException | java.nio.channels.ClosedSelectorException e) {
      synchronized (lock) {
        if (closed) {
          return;
        }
      }
      log.debug("waiting for the UI's first connection: {}", e.toString());
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        // The channel goes back to blocking mode for Jetty's acceptors, which it may only once
        // it belongs to no selector.
        selector.close();
        ApiRoutes api = new ApiRoutes(source, metrics, events,
            UiLogin.create(login, null, true, java.time.Clock.systemUTC()));
        Javalin started = create(channel, api, source, logs);
        app = started;
        started.start();
        log.debug("the UI server started for its first request on port {}", port);
      } catch (IOException | RuntimeException e) {
        log.error("the web UI on {} could not start: its port is closed", url(), e);
        if (app != null) {
          stopQuietly(app);
          app = null;
        }
        closeQuietly(channel);
      }
    }
  }

  /** The Javalin app of the UI, over the port already bound. */
  private static Javalin create(ServerSocketChannel channel, ApiRoutes api,
      MonitoringSource source, LocalAttemptLogs logs) {
    return Javalin.create(config -> {
      // Stopping lets requests in flight finish (bounded): a kill that ends the command's last
      // job closes the server while the kill's own answer is being written.
      config.jetty.modifyServer(server -> {
        server.setStopTimeout(STOP_GRACE_MS);
        server.setHandler(new GracefulHandler());
      });
      // The one connector, on the channel bound at start; Javalin adds none of its own then.
      config.jetty.addConnector((server, http) -> {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        try {
          connector.open(channel);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot hand the UI port to the server", e);
        }
        return connector;
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
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT/}. */
  public String url() {
    return "http://" + HOST + ":" + port() + "/";
  }

  /** Whether the server itself runs: false until the first connection came. */
  boolean serving() {
    synchronized (lock) {
      return app != null;
    }
  }

  /** The registry behind {@code /metrics}, for the engine to add its own collectors to. */
  public PrometheusRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    Javalin started;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      started = app;
      selector.wakeup();
    }
    events.close();
    if (started != null) {
      stopQuietly(started); // closes the channel too
    } else {
      closeQuietly(selector);
      closeQuietly(channel);
    }
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("closing {} failed", owned, e);
      }
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      log.debug("closing {}: {}", c, e.toString());
    }
  }

  private static void stopQuietly(Javalin app) {
    try {
      app.stop();
    } catch (RuntimeException e) {
      log.debug("stopping the UI server: {}", e.toString());
    }
  }
}
