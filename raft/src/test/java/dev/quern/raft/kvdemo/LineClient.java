package dev.quern.raft.kvdemo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One blocking connection to a master's {@link ClientEndpoint}: a request, then its answer. */
final class LineClient implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;
  private long nextRid = 1;

  LineClient(int port, int timeoutMillis) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
    socket.setSoTimeout(timeoutMillis);
    socket.setTcpNoDelay(true);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /**
   * Sends {@code request} (without request id) and returns the answer without its id, e.g.
   * {@code "OK abc"}; throws on timeout or a broken connection (the caller then closes this client).
   */
  String call(String request) throws IOException {
    String rid = Long.toString(nextRid++);
    out.write((rid + " " + request + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    String line = in.readLine();
    if (line == null) {
      throw new IOException("connection closed by the master");
    }
    if (!line.startsWith(rid + " ")) {
      throw new IOException("answer to another request: " + line);
    }
    return line.substring(rid.length() + 1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
