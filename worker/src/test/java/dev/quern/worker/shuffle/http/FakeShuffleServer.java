package dev.quern.worker.shuffle.http;

import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

/**
 * A shuffle server that misbehaves on purpose: it answers with the real headers of a real map
 * output, then sends the bytes whole, or half and closes the socket (a worker that dies
 * mid-transfer), or half and then nothing (a stopped worker).
 */
final class FakeShuffleServer implements AutoCloseable {
  enum Behaviour { FULL, HALF_THEN_CLOSE, HALF_THEN_HANG }

  private final ServerSocket socket;
  private final Map<String, MapOutputRef> outputs = new ConcurrentHashMap<>();
  private final IntFunction<Behaviour> script;
  /** Request paths, one per connection, in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread acceptor;

  /** @param script the behaviour for the n-th connection (from 0) */
  FakeShuffleServer(IntFunction<Behaviour> script) throws IOException {
    this.script = script;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "fake-shuffle-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** Serves {@code output} (whose files are local) under its shuffle path. */
  MapOutputRef serve(MapOutputRef output) {
    MapOutputRef here = new MapOutputRef(output.mapIndex(), output.attempt(), address(),
        output.dataFile(), output.indexFile());
    outputs.put(output.attempt().jobId() + "/" + output.attempt().dirName(), here);
    return here;
  }

  private void accept() {
    int n = 0;
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        Behaviour b = script.apply(n++);
        Thread t = new Thread(() -> answer(s, b), "fake-shuffle-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void answer(Socket s, Behaviour b) {
    try (s) {
      String path = readRequestPath(s.getInputStream());
      requests.add(path);
      String[] parts = path.substring(ShufflePaths.PREFIX.length()).split("/");
      MapOutputRef ref = outputs.get(parts[0] + "/" + parts[1]);
      int partition = Integer.parseInt(parts[2]);
      PartitionIndex index = PartitionIndex.read(Path.of(ref.indexFile()));
      IndexEntry e = index.entry(partition);
      byte[] all = Files.readAllBytes(Path.of(ref.dataFile()));
      byte[] bytes = Arrays.copyOfRange(all, (int) e.offset(),
          (int) (e.offset() + e.storedLength()));
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\n"
          + ShuffleHeaders.STORED_LENGTH + ": " + e.storedLength() + "\r\n"
          + ShuffleHeaders.RAW_LENGTH + ": " + e.rawLength() + "\r\n"
          + ShuffleHeaders.CRC32C + ": " + String.format("%08x", e.crc()) + "\r\n"
          + ShuffleHeaders.COMPRESSED + ": " + index.compressed() + "\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      int send = b == Behaviour.FULL ? bytes.length : bytes.length / 2;
      out.write(bytes, 0, send);
      out.flush();
      if (b == Behaviour.HALF_THEN_HANG) {
        closed.await();
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the test ended
    }
  }

  private static String readRequestPath(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    int state = 0;
    while (state < 4 && (c = in.read()) >= 0) {
      head.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1
          || state == 3)) ? state + 1 : 0;
    }
    String requestLine = head.toString(StandardCharsets.ISO_8859_1).split("\r\n")[0];
    return requestLine.split(" ")[1];
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    socket.close();
  }
}
