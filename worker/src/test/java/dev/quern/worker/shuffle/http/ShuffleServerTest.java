package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shuffle server over a real socket: ranges, headers, refusals, and dropping a job. */
@ExtendWith(Seeds.class)
class ShuffleServerTest {
  private static final String SECRET = "top-secret-bytes-outside-the-registry";

  @TempDir Path tmp;
  private Path data;
  private ShuffleServer server;
  private MapOutputRef ref;
  private PartitionIndex index;
  private final Set<Path> opened = ConcurrentHashMap.newKeySet();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start(Seed seed) throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
    // Files next to and above the data directory that no request may reach.
    Files.writeString(tmp.resolve("secret.txt"), SECRET);
    Files.writeString(data.resolve("secret.txt"), SECRET);
    server = ShuffleServer.start(null, 0, data);
    server.onOpen(opened::add);
    ShuffleFixture fx = new ShuffleFixture(tmp, true, "64m", Map.of());
    ref = fx.map(server.registering(new PipelineTaskRunner(server.address(), null)), data,
        seed.random(), 3000);
    index = PartitionIndex.read(Path.of(ref.indexFile()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String url(int partition) {
    return "http://" + server.address() + ShufflePaths.of(ref, partition);
  }

  private HttpResponse<byte[]> get(String url, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (range != null) {
      b.header("Range", range);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private byte[] stored(int partition) throws Exception {
    IndexEntry e = index.entry(partition);
    byte[] all = Files.readAllBytes(Path.of(ref.dataFile()));
    return Arrays.copyOfRange(all, (int) e.offset(), (int) (e.offset() + e.storedLength()));
  }

  @Test
  void servesEachPartitionWithItsIndexEntryInHeaders() throws Exception {
    assertThat(server.address()).isEqualTo("127.0.0.1:" + server.port());
    for (int p = 0; p < index.partitions(); p++) {
      HttpResponse<byte[]> r = get(url(p), null);
      IndexEntry e = index.entry(p);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(stored(p));
      assertThat(r.headers().firstValue(ShuffleHeaders.STORED_LENGTH))
          .hasValue(Long.toString(e.storedLength()));
      assertThat(r.headers().firstValue(ShuffleHeaders.RAW_LENGTH))
          .hasValue(Long.toString(e.rawLength()));
      assertThat(r.headers().firstValue(ShuffleHeaders.CRC32C))
          .hasValue(String.format("%08x", e.crc()));
      assertThat(r.headers().firstValue(ShuffleHeaders.COMPRESSED)).hasValue("true");
      assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    }
    assertThat(opened).isEqualTo(Set.of(Path.of(ref.dataFile()).toRealPath()));
  }

  @Test
  void servesByteRangesOfAPartition() throws Exception {
    byte[] whole = stored(1);
    int n = whole.length;
    assertThat(n).isGreaterThan(200);
    HttpResponse<byte[]> r = get(url(1), "bytes=10-99");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(whole, 10, 100));
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 10-99/" + n);
    // The headers still describe the whole partition.
    assertThat(r.headers().firstValue(ShuffleHeaders.STORED_LENGTH)).hasValue(Integer.toString(n));

    r = get(url(1), "bytes=" + (n - 50) + "-");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(whole, n - 50, n));

    r = get(url(1), "bytes=-30");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(whole, n - 30, n));
    assertThat(r.headers().firstValue("Content-Range"))
        .hasValue("bytes " + (n - 30) + "-" + (n - 1) + "/" + n);

    r = get(url(1), "bytes=5-" + (n + 1000));
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(whole, 5, n));

    r = get(url(1), "bytes=" + n + "-");
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */" + n);

    // Several ranges, or another unit, are ignored: the whole partition comes back.
    for (String ignored : List.of("bytes=0-1,5-9", "items=0-3", "bytes=9-2", "bytes=x-")) {
      r = get(url(1), ignored);
      assertThat(r.statusCode()).as(ignored).isEqualTo(200);
      assertThat(r.body()).as(ignored).isEqualTo(whole);
    }
  }

  /** Sends a raw request line, so no client normalizes the path first; returns the answer. */
  private String raw(String target) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static int status(String answer) {
    assertThat(answer).startsWith("HTTP/1.1 ");
    return Integer.parseInt(answer.substring(9, 12));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/shuffle/../secret.txt",
      "/shuffle/../../secret.txt",
      "/shuffle/job-0007/../../secret.txt/0",
      "/shuffle/job-0007/m-00000_1/../../../secret.txt",
      "/shuffle/%2e%2e/%2e%2e/secret.txt",
      "/shuffle/job-0007/..%2f..%2fsecret.txt/0",
      "/shuffle/..%2F..%2Fsecret.txt/m-00000_1/0",
      "/shuffle/job-0007/m-00000_1/0/../../../secret.txt",
      "/shuffle/job-0007/m-00000_1%2f..%2f..%2fsecret.txt/0",
      "/shuffle/job-0007/m-00000_1/%30",
      "/shuffle/job-0007/m-00000_1/-1",
      "/shuffle/job-0007/m-00000_1/01",
      "/shuffle/job-0007/m-00000_1/99999999999",
      "/shuffle/job-0007/m-00000_1/1/extra",
      "/shuffle/job-0007/m-00000_1",
      "/shuffle/job-0007/m-00000_1/",
      "/shuffle/job-0007/r-00000_1/0",
      "/shuffle/job-0007/m-0_1/0",
      "/shuffle/.job/m-00000_1/0",
      "/shuffle/job-0007/m-00000_1/0?file=../secret.txt",
      "/shuffle//m-00000_1/0",
      "/secret.txt",
      "/shuffle/job-0008/m-00000_1/0",
      "/shuffle/job-0007/m-00001_1/0",
      "/shuffle/job-0007/m-00000_2/0",
      "/shuffle/job-0007/m-00000_1/3",
      "//etc/passwd",
      "/shuffle/job-0007/m-00000_1/0%00"})
  void refusesMalformedIdsAndPathTraversal(String target) throws Exception {
    String answer = raw(target);
    int status = status(answer);
    // A query string is not part of the path: that one request is served as the plain path.
    if (target.contains("?")) {
      assertThat(status).isEqualTo(200);
    } else {
      assertThat(status).as(answer).isIn(400, 404);
    }
    assertThat(answer).doesNotContain(SECRET).doesNotContain("root:");
    // Nothing but the registered data file was ever opened.
    assertThat(opened).isSubsetOf(List.of(Path.of(ref.dataFile()).toRealPath()));
    if (!target.contains("?")) {
      assertThat(opened).isEmpty();
    }
  }

  @Test
  void refusesOtherMethods() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(0)))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(opened).isEmpty();
  }

  @Test
  void refusesToRegisterFilesOutsideItsDataDirectory() throws Exception {
    Path outside = tmp.resolve("secret.txt");
    MapOutputRef bad = new MapOutputRef(5, new TaskAttemptId("job-0007", TaskKind.MAP, 5, 1),
        server.address(), outside.toString(), ref.indexFile());
    assertThatThrownBy(() -> server.register(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a regular file under");
    // Through a symbolic link inside the data directory too.
    Path link = Files.createSymbolicLink(data.resolve("link.data"), outside);
    MapOutputRef linked = new MapOutputRef(5, bad.attempt(), server.address(), link.toString(),
        ref.indexFile());
    assertThatThrownBy(() -> server.register(linked))
        .isInstanceOf(IllegalArgumentException.class);
    MapOutputRef dotted = new MapOutputRef(5, new TaskAttemptId("job.7", TaskKind.MAP, 5, 1),
        server.address(), ref.dataFile(), ref.indexFile());
    assertThatThrownBy(() -> server.register(dotted))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(server.registered()).isEqualTo(1);
  }

  @Test
  void bindsLoopbackOnly() {
    assertThatThrownBy(() -> ShuffleServer.start("0.0.0.0", 0, data))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
  }

  @Test
  void droppingAJobForgetsAndDeletesItsOutputs() throws Exception {
    assertThat(get(url(0), null).statusCode()).isEqualTo(200);
    assertThat(server.dropJob("job-other")).isZero();
    assertThat(server.dropJob(ref.attempt().jobId())).isEqualTo(1);
    assertThat(Path.of(ref.dataFile())).doesNotExist();
    assertThat(Path.of(ref.indexFile())).doesNotExist();
    assertThat(server.registered()).isZero();
    HttpResponse<byte[]> r = get(url(0), null);
    assertThat(r.statusCode()).isEqualTo(404);
  }
}
