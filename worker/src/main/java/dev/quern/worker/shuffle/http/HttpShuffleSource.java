package dev.quern.worker.shuffle.http;

import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.shuffle.InPlaceSource;
import dev.quern.worker.shuffle.LocalShuffleSource;
import dev.quern.worker.shuffle.MapOutputIndexCache;
import dev.quern.worker.shuffle.MapsWithData;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads map outputs for the reduces of a worker in cluster mode: an output on this worker (its
 * {@link MapOutputRef#host()} is this worker's own shuffle address) is read in place, as in local
 * mode; any other is fetched from the {@link ShuffleServer} at its host. The
 * {@link dev.quern.worker.shuffle.ShuffleFetcher} verifies length and CRC32C and retries.
 *
 * <p>Failures: a 400, 404 or 410 answer means the server does not have the output (or it is
 * damaged there) and is a {@link MapOutputLostException} at once; anything else (refused
 * connection, other status, timeout) is a plain {@link IOException}, which the fetcher retries. A
 * transfer that receives no byte for the stall timeout is cut, so a stopped server cannot hang a
 * reduce: the read then fails and the fetch is retried.
 *
 * <p>Uses the JDK's {@link HttpClient} (HTTP/1.1, kept-alive connections): nothing to add to the
 * class path, and it streams the body without buffering it whole.
 */
public final class HttpShuffleSource implements ShuffleSource, InPlaceSource, AutoCloseable {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  private final String self;
  private final LocalShuffleSource local = new LocalShuffleSource();
  private final HttpClient client;
  private final Duration stallTimeout;
  private final ScheduledExecutorService watchdog;
  private final Set<Guarded> transfers = ConcurrentHashMap.newKeySet();
  private final WorkerMetrics metrics;
  private final ShuffleAccess access;

  /** @param self this worker's shuffle address ({@link ShuffleServer#address()}), or null */
  public HttpShuffleSource(String self) {
    this(self, new WorkerMetrics());
  }

  /** As {@link #HttpShuffleSource(String)}, counting bytes fetched and failures in {@code metrics}. */
  public HttpShuffleSource(String self, WorkerMetrics metrics) {
    this(self, DEFAULT_CONNECT_TIMEOUT, DEFAULT_STALL_TIMEOUT, metrics);
  }

  /**
   * @param connectTimeout bound on opening a connection
   * @param stallTimeout bound on waiting for the answer's headers, and for each next byte of it
   */
  public HttpShuffleSource(String self, Duration connectTimeout, Duration stallTimeout) {
    this(self, connectTimeout, stallTimeout, new WorkerMetrics());
  }

  public HttpShuffleSource(String self, Duration connectTimeout, Duration stallTimeout,
      WorkerMetrics metrics) {
    this(self, connectTimeout, stallTimeout, metrics, ShuffleAccess.NONE);
  }

  /**
   * As {@link #HttpShuffleSource(String, WorkerMetrics)}, fetching as {@code access} says (a
   * secured cluster: HTTPS trusting the cluster CA, each request signed with its job's key).
   */
  public HttpShuffleSource(String self, WorkerMetrics metrics, ShuffleAccess access) {
    this(self, DEFAULT_CONNECT_TIMEOUT, DEFAULT_STALL_TIMEOUT, metrics, access);
  }

  public HttpShuffleSource(String self, Duration connectTimeout, Duration stallTimeout,
      WorkerMetrics metrics, ShuffleAccess access) {
    this.self = self;
    this.metrics = metrics;
    this.stallTimeout = stallTimeout;
    this.access = access;
    HttpClient.Builder b = HttpClient.newBuilder();
    if (access.tls() != null) {
      b.sslContext(access.tls());
    }
    this.client = b.version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shuffle-fetch-watchdog");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(10, stallTimeout.toMillis() / 4);
    watchdog.scheduleWithFixedDelay(this::cutStalled, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean holds(MapOutputRef output) {
    return self != null && self.equals(output.host());
  }

  @Override
  public Location locate(MapOutputRef output, int partition) throws IOException {
    return local.locate(output, partition);
  }

  @Override
  public Location locate(String jobId, MapOutputRef output, int partition) throws IOException {
    return local.locate(jobId, output, partition);
  }

  /** Kept only for an output on this host (one a reduce here reads in place). */
  @Override
  public void offer(MapOutputRef output, PartitionIndex index) {
    if (holds(output)) {
      local.offer(output, index);
    }
  }

  /** Of the outputs on this host (those a reduce here read in place). */
  @Override
  public MapOutputIndexCache.Kept kept(String jobId, int map, int attempt) {
    return local.kept(jobId, map, attempt);
  }

  /** Of the outputs on this host (those a reduce here read in place). */
  @Override
  public MapsWithData mapsWithData(String jobId) {
    return local.mapsWithData(jobId);
  }

  @Override
  public Segment open(MapOutputRef output, int partition) throws IOException {
    if (holds(output)) {
      return local.open(output, partition);
    }
    try {
      return fetch(output, partition);
    } catch (InterruptedIOException e) {
      throw e; // the attempt is being killed: not the server's failure
    } catch (IOException e) {
      metrics.fetchFailed(e instanceof MapOutputLostException);
      throw e;
    }
  }

  private Segment fetch(MapOutputRef output, int partition) throws IOException {
    URI uri;
    try {
      uri = uri(access.scheme(), output, partition);
    } catch (IllegalArgumentException e) {
      throw new MapOutputLostException(output, partition, e.getMessage());
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(stallTimeout);
    String mac = access.sign(output.attempt().jobId(), uri.getRawPath());
    if (mac != null) {
      rb.header(dev.quern.worker.security.ShuffleMac.HEADER, mac);
    }
    HttpRequest request = rb.build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + uri);
    }
    int status = response.statusCode();
    if (status != 200) {
      String said;
      try (InputStream body = response.body()) {
        said = new String(body.readNBytes(300), StandardCharsets.UTF_8).trim();
      }
      String why = output.host() + " answered " + status + " for " + uri.getPath() + ": " + said;
      if (status == 400 || status == 404 || status == 410) {
        throw new MapOutputLostException(output, partition, why);
      }
      throw new IOException(why);
    }
    try {
      long stored = longHeader(response, ShuffleHeaders.STORED_LENGTH);
      long raw = longHeader(response, ShuffleHeaders.RAW_LENGTH);
      int crc = (int) Long.parseLong(header(response, ShuffleHeaders.CRC32C), 16);
      boolean compressed = Boolean.parseBoolean(header(response, ShuffleHeaders.COMPRESSED));
      long contentLength = longHeader(response, "Content-Length");
      if (contentLength != stored) {
        throw new IOException(output.host() + " sent " + contentLength
            + " bytes for a partition of " + stored);
      }
      Guarded in = new Guarded(response.body(), output.host());
      transfers.add(in);
      return new Segment(in, stored, raw, crc, compressed);
    } catch (IOException | RuntimeException e) {
      response.body().close();
      throw e instanceof IOException io ? io : new IOException(output.host()
          + " sent a bad header: " + e.getMessage(), e);
    }
  }

  /** {@code http://HOST:PORT/shuffle/...}; the host must be exactly {@code host:port}. */
  static URI uri(MapOutputRef output, int partition) {
    return uri("http", output, partition);
  }

  /** {@code SCHEME://HOST:PORT/shuffle/...}; the host must be exactly {@code host:port}. */
  static URI uri(String scheme, MapOutputRef output, int partition) {
    String host = output.host();
    URI base;
    try {
      base = new URI(scheme + "://" + host);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("host '" + host + "' is not HOST:PORT");
    }
    if (base.getHost() == null || base.getPort() < 0 || base.getRawUserInfo() != null
        || !base.getRawPath().isEmpty() || base.getRawQuery() != null) {
      throw new IllegalArgumentException("host '" + host + "' is not HOST:PORT");
    }
    return base.resolve(ShufflePaths.of(output, partition));
  }

  private static String header(HttpResponse<?> r, String name) throws IOException {
    return r.headers().firstValue(name)
        .orElseThrow(() -> new IOException("the answer lacks header " + name));
  }

  private static long longHeader(HttpResponse<?> r, String name) throws IOException {
    long v = Long.parseLong(header(r, name));
    if (v < 0) {
      throw new IOException("header " + name + " is negative");
    }
    return v;
  }

  private void cutStalled() {
    long now = System.nanoTime();
    for (Guarded g : transfers) {
      if (now - g.lastProgress > stallTimeout.toNanos()) {
        g.cut();
      }
    }
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
  }

  /** A response body that the watchdog closes when no byte arrives for the stall timeout. */
  private final class Guarded extends FilterInputStream {
    private final String host;
    volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;
    /** Bytes read so far (one reader thread), added to the metrics once, on close. */
    private long received;
    private boolean failed;

    Guarded(InputStream in, String host) {
      super(in);
      this.host = host;
    }

    void cut() {
      stalled = true;
      try {
        in.close();
      } catch (IOException ignored) {
        // the reader sees the end of the stream, then the stall
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        throw failure(stalled ? stall(e) : e);
      }
      if (stalled) {
        throw failure(stall(null));
      }
      lastProgress = System.nanoTime();
      if (n > 0) {
        received += n;
      }
      return n;
    }

    private IOException stall(IOException cause) {
      return new IOException("no byte from " + host + " for " + stallTimeout.toMillis() + " ms",
          cause);
    }

    private IOException failure(IOException e) {
      if (!failed && !(e instanceof InterruptedIOException)) {
        failed = true;
        metrics.fetchFailed(false);
      }
      return e;
    }

    @Override
    public void close() throws IOException {
      if (transfers.remove(this)) {
        metrics.fetched(received);
      }
      super.close();
    }
  }
}
