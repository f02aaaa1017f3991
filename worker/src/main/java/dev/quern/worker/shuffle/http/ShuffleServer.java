package dev.quern.worker.shuffle.http;

import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import dev.quern.worker.cluster.Loopback;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.HttpsConnector;
import dev.quern.worker.security.ShuffleMac;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A worker's shuffle server: serves the map outputs this worker produced to the reducers of other
 * workers, {@code GET /shuffle/{job}/{mapAttempt}/{partition}} (see {@link ShuffleHandler} for the
 * answers and {@link ShuffleHeaders} for the index entry in the headers). Requests name ids; the
 * server finds files only in its registry, filled by {@link #register} when a map attempt
 * succeeds, so a request can never reach a file that was not registered. It also serves the
 * worker's metrics at {@code GET /metrics} ({@link WorkerMetrics}, Prometheus text format), so a
 * worker's metrics address is its shuffle address.
 *
 * <p>Use from a worker process:
 *
 * <pre>{@code
 * ShuffleServer shuffle = ShuffleServer.start("127.0.0.1", 0, dataDir); // port 0: any free port
 * String self = shuffle.address();              // "127.0.0.1:41234", the host of its MapOutputRefs
 * TaskRunner runner = shuffle.registering(
 *     new PipelineTaskRunner(self, new HttpShuffleSource(self)));
 * ...
 * shuffle.dropJob(jobId);                       // when the job ends: forget and delete its outputs
 * shuffle.close();
 * }</pre>
 *
 * Thread-safe. Without the cluster's credentials the server binds a loopback address only
 * ({@link Loopback}); with them it serves HTTPS only and checks every fetch's per-job MAC.
 */
public final class ShuffleServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final MapOutputRegistry registry;
  private final ShuffleHandler handler;
  private final String address;
  private final String scheme;

  private ShuffleServer(Server server, ServerConnector connector, MapOutputRegistry registry,
      ShuffleHandler handler, String bindHost, String scheme) {
    this.scheme = scheme;
    this.server = server;
    this.connector = connector;
    this.registry = registry;
    this.handler = handler;
    String host = bindHost.contains(":") ? "[" + bindHost + "]" : bindHost;
    this.address = host + ":" + connector.getLocalPort();
  }

  /**
   * Starts serving.
   *
   * @param bindHost a loopback address or name; null means {@code 127.0.0.1}. Any other address is
   *     refused: the endpoint has no authentication yet.
   * @param port the port, or 0 for any free one (see {@link #port()})
   * @param dataDir every registered map output file must lie under this directory
   */
  public static ShuffleServer start(String bindHost, int port, Path dataDir) throws IOException {
    return start(bindHost, port, dataDir, false);
  }

  /**
   * As {@link #start(String, int, Path)}; {@code allowPrivate} (a worker's
   * {@code unsafe-allow-private-bind}, for isolated test networks only) also admits an RFC 1918
   * address, so that workers on different hosts of such a network fetch from each other.
   */
  public static ShuffleServer start(String bindHost, int port, Path dataDir, boolean allowPrivate)
      throws IOException {
    return start(bindHost, port, dataDir, allowPrivate, WorkerMetrics.withJvm());
  }

  /**
   * As {@link #start(String, int, Path, boolean)}, counting into {@code metrics} and serving them
   * at {@code GET /metrics} (a worker process passes the metrics its reduces and attempts count
   * into too).
   */
  public static ShuffleServer start(String bindHost, int port, Path dataDir, boolean allowPrivate,
      WorkerMetrics metrics) throws IOException {
    return start(bindHost, port, dataDir, allowPrivate, metrics, null);
  }

  /**
   * As {@link #start(String, int, Path, boolean, WorkerMetrics)}; with {@code security} (the
   * worker's credentials; null: none) the server speaks HTTPS only, with the node identity, on
   * any address; a fetch must carry its job's MAC ({@link ShuffleMac}) and {@code /metrics} the
   * client token.
   */
  public static ShuffleServer start(String bindHost, int port, Path dataDir, boolean allowPrivate,
      WorkerMetrics metrics, ClusterCredentials security) throws IOException {
    String host = bindHost == null ? "127.0.0.1" : bindHost;
    Loopback.requireHost("the shuffle server's host", host, allowPrivate, security != null);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    MapOutputRegistry registry = new MapOutputRegistry(dataDir);
    QueuedThreadPool threads = new QueuedThreadPool(32, 4);
    threads.setName("shuffle-server");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector = security == null
        ? new ServerConnector(server, 1, 1, new HttpConnectionFactory(http))
        : HttpsConnector.create(server, 1, 1, http, security, host, port);
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(60_000);
    server.addConnector(connector);
    ShuffleHandler handler = new ShuffleHandler(registry, metrics, security);
    server.setHandler(handler);
    server.setStopTimeout(2_000);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IOException("cannot start the shuffle server on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    return new ShuffleServer(server, connector, registry, handler, host,
        security == null ? "http" : "https");
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http(s)://host:port/metrics}: where this worker's metrics are scraped. */
  public String metricsUrl() {
    return scheme + "://" + address + ShuffleHandler.METRICS;
  }

  /** {@code host:port} of this server, the form of {@link MapOutputRef#host()} in cluster mode. */
  public String address() {
    return address;
  }

  /**
   * Serves {@code output} from now on. Its ids must have the shapes of {@link ShufflePaths} and
   * its files must exist under the data directory; otherwise {@link IllegalArgumentException}.
   */
  public void register(MapOutputRef output) throws IOException {
    registry.register(output);
  }

  /** Stops serving a job's outputs and deletes their data and index files; returns how many. */
  public int dropJob(String jobId) throws IOException {
    return registry.dropJob(jobId);
  }

  /** Outputs served now. */
  public int registered() {
    return registry.size();
  }

  /** A runner that registers the output of every map attempt that {@code runner} completes. */
  public TaskRunner registering(TaskRunner runner) {
    return new TaskRunner() {
      @Override
      public TaskResult run(TaskSpec spec, ClassLoader loader, TaskProgress progress)
          throws Exception {
        return run(spec, loader, progress, null);
      }

      @Override
      public TaskResult run(TaskSpec spec, ClassLoader loader, TaskProgress progress,
          MapOutputFeed feed) throws Exception {
        TaskResult r = runner.run(spec, loader, progress, feed);
        if (r.mapOutput() != null) {
          register(r.mapOutput());
        }
        return r;
      }
    };
  }

  /** Tests: called with the data file before its bytes are served. */
  void onOpen(Consumer<Path> listener) {
    handler.onOpen(listener);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the shuffle server failed", e);
    }
  }
}
