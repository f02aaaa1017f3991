package dev.quern.worker.shuffle.http;

import dev.quern.worker.metrics.MetricsText;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.HttpAuth;
import dev.quern.worker.security.ShuffleMac;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Answers {@code GET /shuffle/{job}/{mapAttempt}/{partition}} from the registry. Status codes:
 * 200 (whole partition) or 206 (one byte range of it); 400 for a path whose parts do not have the
 * shapes of {@link ShufflePaths}; 404 for an output or partition this worker does not serve; 410
 * when a served output's files are gone or damaged (the map must run again); 405 for any method
 * but GET; 416 for a range outside the partition; in a secured cluster 403 for a fetch without
 * its job's MAC ({@link ShuffleMac}), checked before anything is looked up, and 401 for
 * {@code /metrics} without the client token. {@code GET /metrics} is the worker's
 * {@link WorkerMetrics} in the Prometheus text format.
 */
final class ShuffleHandler extends Handler.Abstract {
  /** Bytes per read from the file into a pooled direct buffer. */
  private static final int CHUNK = 64 * 1024;

  static final String METRICS = "/metrics";

  private final MapOutputRegistry registry;
  private final WorkerMetrics metrics;
  /** The worker's credentials (secured: MACs and the client token are checked), or null. */
  private final ClusterCredentials security;
  private volatile Consumer<Path> onOpen = p -> {};

  ShuffleHandler(MapOutputRegistry registry, WorkerMetrics metrics) {
    this(registry, metrics, null);
  }

  ShuffleHandler(MapOutputRegistry registry, WorkerMetrics metrics,
      ClusterCredentials security) {
    this.registry = registry;
    this.metrics = metrics;
    this.security = security;
  }

  void onOpen(Consumer<Path> listener) {
    onOpen = listener;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws IOException {
    if (!"GET".equals(req.getMethod())) {
      resp.getHeaders().put(HttpHeader.ALLOW, "GET");
      return text(resp, cb, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET is served");
    }
    // The raw (still percent-encoded) path: an escape is not a valid character of any part, so
    // nothing decoded can smuggle a separator or a dot past the patterns.
    String path = req.getHttpURI().getPath();
    if (METRICS.equals(path)) {
      if (security != null
          && !HttpAuth.allows(security, req.getHeaders().get(HttpAuth.HEADER))) {
        resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"quern\"");
        return text(resp, cb, HttpStatus.UNAUTHORIZED_401, "authentication required: send "
            + "the cluster's client token as 'Authorization: Bearer TOKEN'");
      }
      resp.setStatus(HttpStatus.OK_200);
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, MetricsText.CONTENT_TYPE);
      resp.write(true, ByteBuffer.wrap(MetricsText.scrape(metrics.registry())), cb);
      return true;
    }
    boolean handled = serve(req, resp, cb, path);
    metrics.answered(resp.getStatus());
    return handled;
  }

  private boolean serve(Request req, Response resp, Callback cb, String path) throws IOException {
    if (path == null || !path.startsWith(ShufflePaths.PREFIX)) {
      return text(resp, cb, HttpStatus.NOT_FOUND_404, "not a shuffle path");
    }
    String[] parts = path.substring(ShufflePaths.PREFIX.length()).split("/", -1);
    if (parts.length != 3 || !ShufflePaths.JOB.matcher(parts[0]).matches()
        || !ShufflePaths.MAP_ATTEMPT.matcher(parts[1]).matches()
        || !ShufflePaths.PARTITION.matcher(parts[2]).matches()) {
      return text(resp, cb, HttpStatus.BAD_REQUEST_400,
          "expected /shuffle/{job}/{mapAttempt}/{partition}");
    }
    // Before the registry is asked: without its job's MAC a request learns nothing, not even
    // whether the output exists.
    if (security != null && !ShuffleMac.verify(security.shuffleKey(parts[0]), path,
        req.getHeaders().get(ShuffleMac.HEADER))) {
      return text(resp, cb, HttpStatus.FORBIDDEN_403, "refused: the request does not carry "
          + "job " + parts[0] + "'s shuffle MAC (" + ShuffleMac.HEADER + ")");
    }
    MapOutputRegistry.Entry out = registry.get(parts[0], parts[1]);
    if (out == null) {
      return text(resp, cb, HttpStatus.NOT_FOUND_404,
          "no map output " + parts[0] + "/" + parts[1] + " on this worker");
    }
    int partition = Integer.parseInt(parts[2]);
    PartitionIndex index;
    try {
      index = out.index();
    } catch (IOException e) {
      return text(resp, cb, HttpStatus.GONE_410, "index unreadable: " + e.getMessage());
    }
    if (partition >= index.partitions()) {
      return text(resp, cb, HttpStatus.NOT_FOUND_404,
          "the output has " + index.partitions() + " partitions");
    }
    IndexEntry e = index.entry(partition);
    long size;
    try {
      size = Files.size(out.data);
    } catch (NoSuchFileException ex) {
      return text(resp, cb, HttpStatus.GONE_410, "data file is gone");
    }
    if (size < e.offset() + e.storedLength()) {
      return text(resp, cb, HttpStatus.GONE_410, "data file is truncated");
    }
    long first = 0;
    long length = e.storedLength();
    long[] range = Ranges.parse(req.getHeaders().get(HttpHeader.RANGE), e.storedLength());
    var h = resp.getHeaders();
    h.put(HttpHeader.ACCEPT_RANGES, "bytes");
    if (range == Ranges.UNSATISFIABLE) {
      h.put(HttpHeader.CONTENT_RANGE, "bytes */" + e.storedLength());
      return text(resp, cb, HttpStatus.RANGE_NOT_SATISFIABLE_416,
          "the partition has " + e.storedLength() + " bytes");
    }
    if (range != null) {
      first = range[0];
      length = range[1] - range[0] + 1;
      resp.setStatus(HttpStatus.PARTIAL_CONTENT_206);
      h.put(HttpHeader.CONTENT_RANGE,
          "bytes " + range[0] + "-" + range[1] + "/" + e.storedLength());
    } else {
      resp.setStatus(HttpStatus.OK_200);
    }
    h.put(ShuffleHeaders.STORED_LENGTH, Long.toString(e.storedLength()));
    h.put(ShuffleHeaders.RAW_LENGTH, Long.toString(e.rawLength()));
    h.put(ShuffleHeaders.CRC32C, String.format("%08x", e.crc()));
    h.put(ShuffleHeaders.COMPRESSED, Boolean.toString(index.compressed()));
    h.put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    h.put(HttpHeader.CONTENT_LENGTH, length);
    if (length == 0) {
      resp.write(true, BufferUtil.EMPTY_BUFFER, cb);
      return true;
    }
    onOpen.accept(out.data);
    // Jetty reads the range into pooled direct buffers and writes them to the socket: the bytes
    // never pass through a heap array, and at most one chunk per response is held.
    ByteBufferPool.Sized buffers =
        new ByteBufferPool.Sized(req.getComponents().getByteBufferPool(), true, CHUNK);
    Content.copy(Content.Source.from(buffers, out.data, e.offset() + first, length), resp,
        counted(cb, length));
    return true;
  }

  /** Counts the body's bytes once it was all written, or a failure. */
  private Callback counted(Callback cb, long length) {
    return new Callback() {
      @Override
      public void succeeded() {
        metrics.served(length);
        cb.succeeded();
      }

      @Override
      public void failed(Throwable x) {
        metrics.serveFailed();
        cb.failed(x);
      }

      @Override
      public InvocationType getInvocationType() {
        return cb.getInvocationType();
      }
    };
  }

  private static boolean text(Response resp, Callback cb, int status, String message) {
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    resp.write(true, ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)), cb);
    return true;
  }

  /** The one byte range form served: {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}. */
  static final class Ranges {
    static final long[] UNSATISFIABLE = new long[0];

    private Ranges() {}

    /**
     * The inclusive range {@code [first, last]} asked for, null to send the whole partition (no
     * header, or one this server ignores as RFC 9110 allows: other units, several ranges, bad
     * syntax), or {@link #UNSATISFIABLE}.
     */
    static long[] parse(String header, long size) {
      if (header == null || !header.startsWith("bytes=")) {
        return null;
      }
      String spec = header.substring(6).trim();
      int dash = spec.indexOf('-');
      if (dash < 0 || spec.indexOf(',') >= 0) {
        return null;
      }
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (!a.matches("[0-9]{0,18}") || !b.matches("[0-9]{0,18}") || (a.isEmpty() && b.isEmpty())) {
        return null;
      }
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n == 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new long[] {Math.max(0, size - n), size - 1};
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
      if (last < first) {
        return null;
      }
      if (first >= size) {
        return UNSATISFIABLE;
      }
      return new long[] {first, Math.min(last, size - 1)};
    }
  }
}
