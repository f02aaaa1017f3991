package dev.quern.worker.shuffle.http;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The shuffle's HTTP/1.1 client: one GET per fetch over a kept-alive socket of a small pool per
 * server. It replaces the JDK's {@code java.net.http.HttpClient}, whose body stream passes every
 * byte through the client's selector thread and a queue of 16 KiB heap buffers: fetching 512 MiB
 * over loopback took 3.5 s of CPU with it against 1.2 s through a socket read straight into the
 * fetcher's array (a standalone JVM, {@code /usr/bin/time -v} style accounting). Reads of the
 * body go from the socket into the caller's array (a large read bypasses the buffer).
 *
 * <p>Bounds: opening a connection waits at most the connect timeout, and each read (of the
 * answer's head or of any next byte of its body) at most the stall timeout (the socket's read
 * timeout), so a stopped server cannot hang a fetch. {@link Body#close} from another thread cuts
 * a read in progress (it closes the socket), which is how a killed reduce stops its fetches.
 * Only the server's own answer to the requests it is sent is parsed: the status line, headers and
 * a body of {@code Content-Length} bytes (the shuffle server always sends one).
 */
final class ShuffleConnections implements AutoCloseable {
  /** An idle connection older than this is closed rather than reused (the server's is 60 s). */
  static final long MAX_IDLE_NANOS = Duration.ofSeconds(20).toNanos();
  /** Idle connections kept per server. */
  static final int MAX_IDLE_PER_HOST = 8;
  private static final int HEAD_LIMIT = 64 * 1024;
  private static final int BUFFER = 64 * 1024;

  private final SSLContext tls;
  private final int connectTimeoutMillis;
  private final int stallTimeoutMillis;
  private final Map<String, Deque<Conn>> idle = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** @param tls HTTPS trusting this context's CAs, or null for plain HTTP */
  ShuffleConnections(SSLContext tls, Duration connectTimeout, Duration stallTimeout) {
    this.tls = tls;
    this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        connectTimeout.toMillis()));
    this.stallTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        stallTimeout.toMillis()));
  }

  /** An answer: its status, its headers (names in lower case) and its body. */
  record Response(int status, Map<String, String> headers, Body body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Sends {@code GET path} to {@code host:port} with {@code extraHeaders} and reads the answer's
   * head. A kept-alive connection the server has closed meanwhile is noticed here (nothing comes
   * back) and the request is sent once more on a new one.
   */
  Response get(String host, int port, String path, Map<String, String> extraHeaders)
      throws IOException {
    try {
      return getOnce(host, port, path, extraHeaders);
    } catch (SocketTimeoutException e) {
      throw stalled(host + ":" + port, e);
    }
  }

  /**
   * A timeout as a plain {@link IOException}: a {@link SocketTimeoutException} is an {@link
   * java.io.InterruptedIOException}, which the fetcher takes for its attempt being killed.
   */
  private IOException stalled(String key, SocketTimeoutException e) {
    return new IOException("no byte from " + key + " for " + stallTimeoutMillis + " ms ("
        + e.getMessage() + ")", e);
  }

  private Response getOnce(String host, int port, String path, Map<String, String> extraHeaders)
      throws IOException {
    String key = host + ":" + port;
    Conn reused = takeIdle(key);
    if (reused != null) {
      try {
        return exchange(reused, key, host, port, path, extraHeaders);
      } catch (SocketTimeoutException e) {
        reused.close();
        throw e;
      } catch (IOException stale) {
        reused.close(); // closed by the server while idle: try a new connection
      }
    }
    Conn fresh = open(host, port);
    try {
      return exchange(fresh, key, host, port, path, extraHeaders);
    } catch (IOException | RuntimeException e) {
      fresh.close();
      throw e;
    }
  }

  private Response exchange(Conn c, String key, String host, int port, String path,
      Map<String, String> extraHeaders) throws IOException {
    StringBuilder req = new StringBuilder(256).append("GET ").append(path)
        .append(" HTTP/1.1\r\nHost: ").append(host.contains(":") ? "[" + host + "]" : host)
        .append(':').append(port).append("\r\n");
    extraHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    c.out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    c.out.flush();
    String status = readLine(c.in);
    if (status == null) {
      throw new EOFException("the connection to " + key + " closed before an answer");
    }
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException(key + " answered with a bad status line: " + status);
    }
    int code;
    try {
      code = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException(key + " answered with a bad status line: " + status);
    }
    Map<String, String> headers = new HashMap<>();
    int bytes = status.length();
    while (true) {
      String line = readLine(c.in);
      if (line == null) {
        throw new EOFException("the connection to " + key + " closed inside an answer's head");
      }
      if (line.isEmpty()) {
        break;
      }
      bytes += line.length();
      if (bytes > HEAD_LIMIT) {
        throw new IOException(key + " sent an answer head over " + HEAD_LIMIT + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    String length = headers.get("content-length");
    long contentLength = -1;
    if (length != null) {
      try {
        contentLength = Long.parseLong(length);
      } catch (NumberFormatException e) {
        throw new IOException(key + " sent a bad Content-Length: " + length);
      }
    }
    boolean keep = contentLength >= 0 && !"close".equalsIgnoreCase(headers.get("connection"))
        && !headers.containsKey("transfer-encoding");
    return new Response(code, headers, new Body(c, key, Math.max(0, contentLength), keep,
        contentLength >= 0));
  }

  private Conn open(String host, int port) throws IOException {
    Socket s = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
    try {
      s.setTcpNoDelay(true);
      try {
        s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      } catch (SocketTimeoutException e) {
        throw new IOException("cannot connect to " + host + ":" + port + " within "
            + connectTimeoutMillis + " ms", e);
      }
      s.setSoTimeout(stallTimeoutMillis);
      if (s instanceof SSLSocket ssl) {
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        ssl.setSSLParameters(p);
        ssl.startHandshake();
      }
      return new Conn(s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private Conn takeIdle(String key) {
    Deque<Conn> q = idle.get(key);
    if (q == null) {
      return null;
    }
    long now = System.nanoTime();
    for (Conn c; (c = q.pollFirst()) != null; ) {
      if (now - c.idleSince <= MAX_IDLE_NANOS && !c.socket.isClosed()) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private void giveBack(String key, Conn c) {
    if (closed) {
      c.close();
      return;
    }
    Deque<Conn> q = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    c.idleSince = System.nanoTime();
    q.addFirst(c);
    while (q.size() > MAX_IDLE_PER_HOST) {
      Conn old = q.pollLast();
      if (old != null) {
        old.close();
      }
    }
    if (closed) {
      closeIdle();
    }
  }

  /** Connections idle now (tests). */
  int idleConnections() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  private void closeIdle() {
    for (Iterator<Deque<Conn>> it = idle.values().iterator(); it.hasNext(); ) {
      Deque<Conn> q = it.next();
      for (Conn c; (c = q.pollFirst()) != null; ) {
        c.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    closeIdle();
  }

  /** A line of the head, without its CRLF; null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        return sb.isEmpty() ? null : sb.toString();
      }
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
      if (sb.length() > HEAD_LIMIT) {
        throw new IOException("a line of the answer's head is over " + HEAD_LIMIT + " bytes");
      }
    }
  }

  private static final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
      this.out = socket.getOutputStream();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do: the socket is gone either way
      }
    }
  }

  /**
   * An answer's body: exactly {@code Content-Length} bytes, then the end of the stream. Closed
   * after all of it was read, its connection goes back to the pool; closed before (from any
   * thread, also while another thread reads), the connection is closed.
   */
  final class Body extends InputStream {
    private final Conn conn;
    private final String key;
    private final boolean reusable;
    private final boolean bounded;
    private long left;
    private final AtomicBoolean done = new AtomicBoolean();

    private Body(Conn conn, String key, long length, boolean reusable, boolean bounded) {
      this.conn = conn;
      this.key = key;
      this.left = length;
      this.reusable = reusable;
      this.bounded = bounded;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (done.get()) {
        throw new IOException("the body from " + key + " was closed");
      }
      if (bounded && left == 0) {
        return -1;
      }
      int want = bounded ? (int) Math.min(len, left) : len;
      int n;
      try {
        n = conn.in.read(b, off, want);
      } catch (SocketTimeoutException e) {
        throw stalled(key, e);
      }
      if (n < 0) {
        if (bounded) {
          throw new EOFException("the connection to " + key + " closed with " + left
              + " bytes of the body still to come");
        }
        return -1;
      }
      left -= n;
      return n;
    }

    /** Whether every byte of the body was read. */
    boolean complete() {
      return bounded && left == 0;
    }

    @Override
    public void close() {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      if (reusable && complete()) {
        giveBack(key, conn);
      } else {
        conn.close();
      }
    }
  }
}
