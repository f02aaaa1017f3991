package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.security.ClusterCredentials;
import dev.quern.worker.security.CredentialsInit;
import dev.quern.worker.security.HttpAuth;
import dev.quern.worker.security.ShuffleMac;
import dev.quern.worker.shuffle.LocalShuffleSource;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.ShuffleSource;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A secured worker's shuffle server over real sockets: HTTPS only, with the node identity; a
 * fetch must carry its own job's MAC (none, a wrong one, or another job's get 403 before anything
 * is looked up); {@code /metrics} wants the client token; path traversal is refused even with a
 * MAC made for the very path; and reduces that fetch over HTTPS with a worker's or an executor's
 * access give what an independent count says.
 */
@ExtendWith(Seeds.class)
class SecuredShuffleServerTest {
  private static final String SECRET = "top-secret-bytes-outside-the-registry";

  @TempDir Path tmp;
  private Path data;
  private ClusterCredentials creds;
  private ShuffleServer server;
  private MapOutputRef ref;
  private PartitionIndex index;
  private ShuffleFixture fx;
  private final Set<Path> opened = ConcurrentHashMap.newKeySet();
  private HttpClient https;

  @BeforeEach
  void start(Seed seed) throws Exception {
    Path dir = tmp.resolve("security");
    CredentialsInit.create(dir, List.of());
    creds = ClusterCredentials.load(dir);
    https = HttpClient.newBuilder().sslContext(creds.trustContext()).build();
    data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(tmp.resolve("secret.txt"), SECRET);
    Files.writeString(data.resolve("secret.txt"), SECRET);
    server = ShuffleServer.start("127.0.0.1", 0, data, false, new WorkerMetrics(), creds);
    server.onOpen(opened::add);
    fx = new ShuffleFixture(tmp, true, "64m", Map.of());
    ref = fx.map(server.registering(new PipelineTaskRunner(server.address(), null)), data,
        seed.random(), 2000);
    index = PartitionIndex.read(Path.of(ref.indexFile()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String path(int partition) {
    return ShufflePaths.of(ref, partition);
  }

  private HttpResponse<byte[]> get(String path, String mac) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("https://" + server.address() + path)).GET();
    if (mac != null) {
      b.header(ShuffleMac.HEADER, mac);
    }
    return https.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private byte[] stored(int partition) throws Exception {
    IndexEntry e = index.entry(partition);
    byte[] all = Files.readAllBytes(Path.of(ref.dataFile()));
    return Arrays.copyOfRange(all, (int) e.offset(), (int) (e.offset() + e.storedLength()));
  }

  @Test
  void servesAFetchThatCarriesItsJobsMac() throws Exception {
    assertThat(server.metricsUrl()).startsWith("https://");
    byte[] key = creds.shuffleKey(ref.attempt().jobId());
    for (int p = 0; p < index.partitions(); p++) {
      HttpResponse<byte[]> r = get(path(p), ShuffleMac.sign(key, path(p)));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(stored(p));
    }
  }

  @Test
  void refusesAFetchWithoutItsJobsMacBeforeLookingAnythingUp() throws Exception {
    String job = ref.attempt().jobId();
    byte[] other = creds.shuffleKey("job-0008");
    byte[] mine = creds.shuffleKey(job);
    assertThat(other).isNotEqualTo(mine);
    String p0 = path(0);
    List<String> refused = List.of("", "not-a-mac", ShuffleMac.sign(other, p0),
        // The MAC of another partition of the same output: a MAC covers its path alone.
        ShuffleMac.sign(mine, path(1)),
        // Signed with the cluster secret's derivation for another job id that looks alike.
        ShuffleMac.sign(creds.shuffleKey(job + " "), p0));
    HttpResponse<byte[]> none = get(p0, null);
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(new String(none.body(), StandardCharsets.UTF_8)).contains(ShuffleMac.HEADER);
    for (String mac : refused) {
      assertThat(get(p0, mac).statusCode()).as(mac).isEqualTo(403);
    }
    // An output that does not exist answers 403 too without the MAC: nothing leaks about it.
    String absent = "/shuffle/job-0008/m-00042_0/0";
    assertThat(get(absent, null).statusCode()).isEqualTo(403);
    assertThat(get(absent, ShuffleMac.sign(other, absent)).statusCode()).isEqualTo(404);
    assertThat(opened).isEmpty();
  }

  @Test
  void aFetcherWithAnotherJobsKeyIsRefusedAndLosesNothing(Seed seed) throws Exception {
    // An executor of job-0008 holds job-0008's key alone; job-0007's outputs stay closed to it.
    ShuffleAccess otherJob = ShuffleAccess.forJob(creds.caCertificate(), "job-0008",
        creds.shuffleKey("job-0008"));
    try (HttpShuffleSource source = new HttpShuffleSource("127.0.0.1:1", new WorkerMetrics(),
        otherJob)) {
      assertThatThrownBy(() -> source.open(ref, 0)).isInstanceOf(IOException.class)
          .hasMessageContaining("403")
          // Not "lost": the map output is fine, the fetcher may not read it.
          .isNotInstanceOf(dev.quern.worker.task.MapOutputLostException.class);
    }
    assertThat(opened).isEmpty();
  }

  @Test
  void reducesFetchOverHttpsWithAWorkersOrAnExecutorsAccess(Seed seed) throws Exception {
    // A second output on a second secured server, so that every reduce fetches from both.
    Path dataB = Files.createDirectories(tmp.resolve("dataB"));
    try (ShuffleServer b = ShuffleServer.start("127.0.0.1", 0, dataB, false,
        new WorkerMetrics(), creds)) {
      List<MapOutputRef> refs = new ArrayList<>(List.of(ref));
      refs.add(fx.map(b.registering(new PipelineTaskRunner(b.address(), null)), dataB,
          seed.random(), 1500));
      List<String> local = fx.reduceAll("local", refs, new LocalShuffleSource());
      assertThat(ShuffleFixture.counts(local)).isEqualTo(fx.expected);

      // The executor's access, through the environment the worker starts it with.
      Map<String, String> env = ShuffleAccess.of(creds)
          .executorEnvironment(ShuffleFixture.JOB_ID);
      assertThat(env).containsOnlyKeys(ShuffleAccess.KEY_ENV, ShuffleAccess.CA_ENV);
      String secret = Files.readString(creds.dir().resolve(ClusterCredentials.SHUFFLE_SECRET))
          .trim();
      String password = new String(creds.storePassword());
      assertThat(String.join(" ", env.values())).doesNotContain(secret)
          .doesNotContain(password).doesNotContain(creds.clientToken());
      assertThat(Base64.getUrlDecoder().decode(env.get(ShuffleAccess.KEY_ENV)))
          .isEqualTo(creds.shuffleKey(ShuffleFixture.JOB_ID));
      for (ShuffleAccess access : List.of(ShuffleAccess.of(creds),
          ShuffleAccess.fromEnvironment(ShuffleFixture.JOB_ID, env))) {
        try (HttpShuffleSource source = new HttpShuffleSource("127.0.0.1:1",
            new WorkerMetrics(), access)) {
          List<String> remote = fx.reduceAll("remote", refs, source);
          assertThat(remote).as(access.toString()).isEqualTo(local);
        }
      }
      // Without the access (plain HTTP) nothing is fetched.
      try (HttpShuffleSource plain = new HttpShuffleSource("127.0.0.1:1")) {
        assertThatThrownBy(() -> plain.open(ref, 0)).isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void speaksNoPlainHttpAndOnlyToClientsThatTrustTheClusterCa() throws Exception {
    String p0 = path(0);
    String mac = ShuffleMac.sign(creds.shuffleKey(ref.attempt().jobId()), p0);
    // Plain HTTP on the port: no HTTP answer at all (the server waits for a TLS hello).
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("GET " + p0 + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + ShuffleMac.HEADER + ": " + mac + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      String answer;
      try {
        answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        answer = "";
      }
      // At most a TLS alert: no HTTP answer, none of the output's bytes.
      assertThat(answer).doesNotStartWith("HTTP/");
      assertThat(stored(0)).isNotEmpty();
      assertThat(answer).doesNotContain(new String(stored(0), StandardCharsets.ISO_8859_1));
    }
    HttpClient plain = HttpClient.newHttpClient();
    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
        URI.create("http://" + server.address() + p0)).header(ShuffleMac.HEADER, mac).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    // A client that trusts another CA (the JDK's defaults, or another cluster's) is refused at
    // the handshake: it cannot be fooled by, nor talk to, this server.
    Path foreign = tmp.resolve("foreign");
    CredentialsInit.create(foreign, List.of());
    for (SSLContext ctx : List.of(SSLContext.getDefault(),
        ClusterCredentials.load(foreign).trustContext())) {
      HttpClient other = HttpClient.newBuilder().sslContext(ctx).build();
      assertThatThrownBy(() -> other.send(HttpRequest.newBuilder(
          URI.create("https://" + server.address() + p0)).header(ShuffleMac.HEADER, mac).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }
    assertThat(opened).isEmpty();
  }

  @Test
  void metricsWantTheClientToken() throws Exception {
    URI metrics = URI.create(server.metricsUrl());
    for (String auth : new String[] {null, "Bearer not-the-token", creds.clientToken()}) {
      HttpRequest.Builder b = HttpRequest.newBuilder(metrics);
      if (auth != null) {
        b.header(HttpAuth.HEADER, auth);
      }
      HttpResponse<String> r = https.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(String.valueOf(auth != null)).isEqualTo(401);
      assertThat(r.body()).doesNotContain(creds.clientToken());
    }
    HttpResponse<String> ok = https.send(ClusterAccess.of(creds)
        .authorize(HttpRequest.newBuilder(metrics)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("# TYPE");
  }

  /** A raw HTTPS request line, so no client normalizes the path first. */
  private String raw(String target, String mac) throws Exception {
    SSLContext ctx = creds.trustContext();
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1",
        server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + ShuffleMac.HEADER + ": "
          + mac + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/shuffle/../secret.txt",
      "/shuffle/job-0007/../../secret.txt/0",
      "/shuffle/job-0007/m-00000_1/../../../secret.txt",
      "/shuffle/%2e%2e/%2e%2e/secret.txt",
      "/shuffle/job-0007/..%2f..%2fsecret.txt/0",
      "/shuffle/..%2F..%2Fsecret.txt/m-00000_1/0",
      "/shuffle/job-0007/m-00000_1%2f..%2f..%2fsecret.txt/0",
      "/shuffle/job-0007/m-00000_1/..%2f..%2fsecret.txt",
      "/shuffle/job-0007/m-00000_1/0/../../../secret.txt",
      "/shuffle/.job/m-00000_1/0",
      "/shuffle/job-0007/m-00000_1/0%00",
      "//etc/passwd"})
  void refusesPathTraversalInEveryPartEvenWithAMacForThatPath(String target) throws Exception {
    // The worst case: the MAC is right for the very string sent (under the job's key), so only
    // the path checks stand between the request and the file system.
    String mac = ShuffleMac.sign(creds.shuffleKey(ShuffleFixture.JOB_ID), target);
    String answer = raw(target, mac);
    assertThat(answer).startsWith("HTTP/1.1 ");
    int status = Integer.parseInt(answer.substring(9, 12));
    assertThat(status).as(answer).isIn(400, 403, 404);
    assertThat(answer).doesNotContain(SECRET).doesNotContain("root:");
    assertThat(opened).isEmpty();
  }
}
