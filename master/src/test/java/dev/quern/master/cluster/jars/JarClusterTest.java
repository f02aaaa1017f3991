package dev.quern.master.cluster.jars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.cluster.InProcessMasters;
import dev.quern.master.cluster.MasterProcess;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.cluster.JarCache;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real masters (Raft over Artery, HTTP on real sockets) in this JVM: a jar uploaded to the
 * leader lands on the disks of a majority and is served by every master that holds it; a
 * follower redirects uploads to the leader; with one master stopped uploads still succeed, with
 * two stopped none does.
 */
@ExtendWith(Seeds.class)
@Timeout(240)
class JarClusterTest {
  static final Duration BOUND = Duration.ofSeconds(90);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final InProcessMasters group = new InProcessMasters();
  final Map<String, MasterProcess> masters = group.masters;
  final Map<String, String> httpOf = group.httpOf;

  @AfterEach
  void stopAll() {
    group.close();
  }

  void startMasters() {
    group.start(tmp);
  }

  String awaitLeader() {
    return group.awaitLeader(BOUND);
  }

  Optional<JsonNode> getJson(String hostPort, String path) {
    return group.getJson(hostPort, path);
  }


  record Answer(int code, String body, Optional<String> location, byte[] bytes) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  Answer send(HttpRequest.Builder req) throws Exception {
    HttpResponse<byte[]> r = http.send(req.timeout(Duration.ofSeconds(90)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8),
        r.headers().firstValue("Location"), r.body());
  }

  Answer post(String id, byte[] jar) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + httpOf.get(id) + JarUpload.PATH))
        .POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
  }

  Answer get(String id, String sha) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + httpOf.get(id) + JarUpload.PATH + "/" + sha)));
  }

  static byte[] bytes(Seed seed, long salt, int n) {
    byte[] b = new byte[n];
    new java.util.Random(seed.derive(salt)).nextBytes(b);
    return b;
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  Path file(String id, String sha) {
    return group.root().resolve(id).resolve("jars").resolve(sha + ".jar");
  }

  static List<String> held(Answer a) throws IOException {
    List<String> ids = new ArrayList<>();
    a.json().path("masters").forEach(m -> ids.add(m.asText()));
    return ids;
  }

  /** The first line of a raw HTTP exchange, so the request can name any Host. */
  String rawStatusLine(String hostPort, String hostHeader) throws IOException {
    String[] hp = hostPort.split(":");
    try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST " + JarUpload.PATH + " HTTP/1.1\r\nHost: " + hostHeader
          + "\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return all.lines().findFirst().orElse("");
    }
  }

  @Test
  void jarsReachAMajorityOfRealMastersAndNeedOne(Seed seed) throws Exception {
    startMasters();
    String leader = awaitLeader();
    List<String> followers = new ArrayList<>(masters.keySet());
    followers.remove(leader);

    // The loopback Host guard covers the jar routes.
    assertTrue(rawStatusLine(httpOf.get(leader), "evil.example:80").contains(" 403 "));

    // A follower sends the client to the leader.
    byte[] first = bytes(seed, 1, 700_000);
    String firstSha = sha(first);
    Answer redirected = post(followers.get(0), first);
    assertEquals(307, redirected.code(), redirected.body());
    assertEquals(Optional.of("http://" + httpOf.get(leader) + JarUpload.PATH), redirected.location());
    assertEquals(leader, redirected.json().path("leaderId").asText());
    for (String id : masters.keySet()) {
      assertFalse(Files.exists(file(id, firstSha)), id);
    }

    // The leader stores it on a majority before it answers.
    Answer up = post(leader, first);
    assertEquals(201, up.code(), up.body());
    assertEquals(firstSha, up.json().path("sha256").asText());
    List<String> held = held(up);
    assertTrue(held.contains(leader) && held.size() >= 2, held::toString);
    for (String id : held) {
      assertArrayEquals(first, Files.readAllBytes(file(id, firstSha)), "the jar file of " + id);
    }
    String follower = held.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    Answer got = get(follower, firstSha);
    assertEquals(200, got.code());
    assertArrayEquals(first, got.bytes());
    assertEquals(404, get(leader, sha(bytes(seed, 99, 10))).code());

    // One follower stopped: the leader and the other still make a majority.
    String stopped = followers.get(0);
    String alive = followers.get(1);
    masters.remove(stopped).close();
    byte[] second = bytes(seed, 2, 300_000);
    String secondSha = sha(second);
    Answer up2 = post(leader, second);
    assertEquals(201, up2.code(), up2.body());
    assertEquals(new java.util.TreeSet<>(List.of(leader, alive)), new java.util.TreeSet<>(held(up2)));
    assertArrayEquals(second, Files.readAllBytes(file(leader, secondSha)));
    assertArrayEquals(second, Files.readAllBytes(file(alive, secondSha)));
    assertFalse(Files.exists(file(stopped, secondSha)));
    assertArrayEquals(second, get(alive, secondSha).bytes());
    // A worker's cache fetches jars by reference, past the stopped master (and, for the first
    // jar, past a master its push may not have reached yet), and checks their hashes.
    JarCache cache = new JarCache(tmp.resolve("worker-jars"),
        List.of(httpOf.get(stopped), httpOf.get(alive), httpOf.get(leader)));
    assertArrayEquals(second, Files.readAllBytes(cache.resolve(JarUpload.reference(secondSha))));
    assertArrayEquals(first, Files.readAllBytes(cache.resolve(JarUpload.reference(firstSha))));

    // Both followers stopped: no majority, so no upload is acknowledged. Either the leader has
    // not yet noticed it lost its quorum, and its pushes fail, or it has stepped down.
    masters.remove(alive).close();
    byte[] third = bytes(seed, 3, 1000);
    Answer up3 = post(leader, third);
    assertEquals(503, up3.code(), up3.body());
    String error = up3.json().path("error").asText();
    boolean pushesFailed = error.contains("majority needs 2") && error.contains(stopped + ": ")
        && error.contains(alive + ": ");
    boolean steppedDown = error.contains("master " + leader + " does not lead");
    assertTrue(pushesFailed || steppedDown, error);
    assertFalse(Files.exists(file(stopped, sha(third))));
    assertFalse(Files.exists(file(alive, sha(third))));
  }
}
