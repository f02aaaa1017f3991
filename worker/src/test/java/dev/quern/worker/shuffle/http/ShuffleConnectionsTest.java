package dev.quern.worker.shuffle.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shuffle's socket client against a scripted HTTP server: kept-alive connections are reused,
 * one the server closed while idle is replaced without failing the fetch, a stall is a plain
 * {@link IOException} (an {@link InterruptedIOException} would tell the fetcher its attempt was
 * killed), and closing a body from another thread ends a read blocked on a silent server.
 */
class ShuffleConnectionsTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  /** What the server does with each request. */
  private enum Script { KEEP_ALIVE, CLOSE_AFTER_ANSWER, HEAD_THEN_HANG, HALF_BODY_THEN_HANG }

  private final byte[] body = new byte[300_000];
  private ServerSocket server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);

  ShuffleConnectionsTest() {
    new Random(42).nextBytes(body);
  }

  @AfterEach
  void tearDown() throws IOException {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private int serve(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          Thread c = new Thread(() -> answer(s, script), "scripted-conn");
          c.setDaemon(true);
          c.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "scripted-server");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private void answer(Socket s, Script script) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (readHead(in)) {
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nX-Test: yes\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        if (script == Script.HEAD_THEN_HANG || script == Script.HALF_BODY_THEN_HANG) {
          if (script == Script.HALF_BODY_THEN_HANG) {
            out.write(body, 0, body.length / 2);
          }
          out.flush();
          release.await();
          return;
        }
        out.write(body);
        out.flush();
        if (script == Script.CLOSE_AFTER_ANSWER) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the test ended
    }
  }

  /** Reads one request's head; false at the end of the stream. */
  private static boolean readHead(InputStream in) throws IOException {
    int state = 0;
    int c;
    while (state < 4 && (c = in.read()) >= 0) {
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1
          || state == 3)) ? state + 1 : 0;
    }
    return state == 4;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  @Test
  void keptAliveConnectionsAreReusedAndEveryBodyIsWhole() throws Exception {
    int port = serve(Script.KEEP_ALIVE);
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, LONG)) {
      for (int i = 0; i < 3; i++) {
        ShuffleConnections.Response r = c.get("127.0.0.1", port, "/shuffle/a/b/" + i, Map.of());
        assertEquals(200, r.status());
        assertEquals("yes", r.header("x-test"));
        try (InputStream in = r.body()) {
          assertArrayEquals(body, readAll(in));
        }
        assertEquals(1, c.idleConnections());
      }
    }
    assertEquals(1, accepted.get(), "three fetches over one kept-alive connection");
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsReplaced() throws Exception {
    int port = serve(Script.CLOSE_AFTER_ANSWER);
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, LONG)) {
      for (int i = 0; i < 3; i++) {
        ShuffleConnections.Response r = c.get("127.0.0.1", port, "/x", Map.of());
        try (InputStream in = r.body()) {
          assertArrayEquals(body, readAll(in), "fetch " + i);
        }
      }
    }
    assertEquals(3, accepted.get());
  }

  @Test
  void aBodyClosedBeforeItsEndIsNotReused() throws Exception {
    int port = serve(Script.KEEP_ALIVE);
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, LONG)) {
      ShuffleConnections.Response r = c.get("127.0.0.1", port, "/x", Map.of());
      InputStream in = r.body();
      assertEquals(1000, in.readNBytes(new byte[1000], 0, 1000));
      in.close();
      assertEquals(0, c.idleConnections());
      try (InputStream again = c.get("127.0.0.1", port, "/x", Map.of()).body()) {
        assertArrayEquals(body, readAll(again));
      }
    }
    assertEquals(2, accepted.get());
  }

  @Test
  void aStallIsAPlainIoExceptionNotAKill() throws Exception {
    int port = serve(Script.HALF_BODY_THEN_HANG);
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, Duration.ofMillis(200))) {
      InputStream in = c.get("127.0.0.1", port, "/x", Map.of()).body();
      IOException e = assertThrows(IOException.class, () -> readAll(in));
      assertFalse(e instanceof InterruptedIOException, "a stall read as a kill: " + e);
      assertTrue(e.getMessage().contains("no byte from 127.0.0.1:" + port), e.getMessage());
      in.close();
    }
  }

  @Test
  void aStallBeforeTheHeadIsAPlainIoException() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts, never answers
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, Duration.ofMillis(200))) {
      IOException e = assertThrows(IOException.class,
          () -> c.get("127.0.0.1", server.getLocalPort(), "/x", Map.of()));
      assertFalse(e instanceof InterruptedIOException, "a stall read as a kill: " + e);
    }
  }

  private static boolean inSocketRead(Thread t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().contains("NioSocketImpl") && e.getMethodName().startsWith("read")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void closingTheBodyFromAnotherThreadEndsABlockedRead() throws Exception {
    int port = serve(Script.HEAD_THEN_HANG);
    try (ShuffleConnections c = new ShuffleConnections(null, LONG, LONG)) {
      InputStream in = c.get("127.0.0.1", port, "/x", Map.of()).body();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CountDownLatch reading = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try {
          reading.countDown();
          in.read(new byte[100]);
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "blocked-reader");
      reader.start();
      assertTrue(reading.await(30, TimeUnit.SECONDS));
      // The reader blocks on a server that sends nothing (the stall timeout is a minute): the
      // close has to cut the socket for the read to return.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!inSocketRead(reader) && reader.isAlive() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(inSocketRead(reader), "the reader never blocked in the socket's read");
      in.close();
      reader.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(reader.isAlive(), "the read did not end when its body was closed");
      assertNotNull(failure.get(), "the cut read returned normally");
      assertInstanceOf(IOException.class, failure.get());
      assertEquals(0, c.idleConnections());
    }
  }
}
