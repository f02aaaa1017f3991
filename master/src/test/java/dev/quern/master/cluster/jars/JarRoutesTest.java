package dev.quern.master.cluster.jars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.testkit.Await;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar routes on three real HTTP servers, each with its own store, in a group whose leader and
 * addresses the test decides (so "the leader with both others down" is not a race against
 * check-quorum, as it is with real Raft nodes).
 */
@ExtendWith(Seeds.class)
class JarRoutesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> IDS = List.of("m1", "m2", "m3");

  @TempDir Path tmp;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Map<String, String> addresses = new ConcurrentHashMap<>();
  volatile String leader = "m1";
  final Map<String, Javalin> servers = new TreeMap<>();

  /** The group as master {@code self} sees it: the test's leader and addresses. */
  JarGroup group(String self) {
    return JarGroup.fixed(self, IDS, () -> leader, id -> Optional.ofNullable(addresses.get(id)));
  }

  void start(long maxBytes) throws IOException {
    for (String id : IDS) {
      JarStore store = new JarStore(tmp.resolve(id).resolve("jars"));
      Javalin app = Javalin.create(c -> {
        c.startup.showJavalinBanner = false;
        JarRoutes.register(c.routes, store, group(id), maxBytes);
      });
      app.start("127.0.0.1", 0);
      servers.put(id, app);
      addresses.put(id, "127.0.0.1:" + app.port());
    }
  }

  @AfterEach
  void stop() {
    servers.values().forEach(Javalin::stop);
  }

  static byte[] bytes(Seed seed, int n) {
    byte[] b = new byte[n];
    seed.javaRandom().nextBytes(b);
    return b;
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  Path file(String id, String sha) {
    return tmp.resolve(id).resolve("jars").resolve(sha + ".jar");
  }

  record Answer(int code, String body, Optional<String> location, byte[] bytes) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  Answer send(HttpRequest.Builder req) throws Exception {
    HttpResponse<byte[]> r = http.send(req.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8),
        r.headers().firstValue("Location"), r.body());
  }

  Answer post(String id, byte[] jar) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + addresses.get(id) + "/api/cluster/jars"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
  }

  Answer put(String id, String sha, byte[] jar) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + addresses.get(id) + "/api/cluster/jars/" + sha))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(jar)));
  }

  Answer get(String id, String sha) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + addresses.get(id) + "/api/cluster/jars/" + sha)));
  }

  List<String> jarFiles(String id) throws IOException {
    Path d = tmp.resolve(id).resolve("jars");
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theLeaderStoresAJarOnEveryMasterItReaches(Seed seed) throws Exception {
    start(10_000_000);
    byte[] jar = bytes(seed, 1_500_000);
    String sha = sha(jar);
    Answer a = post("m1", jar);
    assertEquals(201, a.code(), a.body());
    assertEquals(sha, a.json().path("sha256").asText());
    assertEquals(jar.length, a.json().path("size").asLong());
    List<String> held = new ArrayList<>();
    a.json().path("masters").forEach(m -> held.add(m.asText()));
    assertTrue(held.contains("m1") && held.size() >= 2, held::toString);
    // Every master the answer names has the whole jar on disk, and serves it.
    for (String id : held) {
      assertArrayEquals(jar, Files.readAllBytes(file(id, sha)), id);
      Answer g = get(id, sha);
      assertEquals(200, g.code());
      assertArrayEquals(jar, g.bytes(), id);
    }
    // The push to the third continues after the answer; it gets there too.
    Await.until(Duration.ofSeconds(120), "the jar on all three masters",
        () -> IDS.stream().allMatch(id -> Files.exists(file(id, sha))));
    for (String id : IDS) {
      assertArrayEquals(jar, Files.readAllBytes(file(id, sha)), id);
    }
  }

  @Test
  void withBothOtherMastersDownTheUploadFailsNamingThem(Seed seed) throws Exception {
    start(10_000_000);
    servers.get("m2").stop();
    servers.get("m3").stop();
    byte[] jar = bytes(seed, 100_000);
    Answer a = post("m1", jar);
    assertEquals(503, a.code(), a.body());
    JsonNode b = a.json();
    String error = b.path("error").asText();
    assertTrue(error.contains("1 of 3") && error.contains("majority needs 2")
        && error.contains("m2: at " + addresses.get("m2") + ": connection refused")
        && error.contains("m3: at " + addresses.get("m3") + ": connection refused"), error);
    assertEquals(List.of("m1"), List.of(b.path("masters").get(0).asText()));
    assertEquals(1, b.path("masters").size());
    assertTrue(b.path("failed").has("m2") && b.path("failed").has("m3"), b::toString);
  }

  @Test
  void withOneOtherMasterDownTheUploadSucceedsOnTheMajority(Seed seed) throws Exception {
    start(10_000_000);
    servers.get("m3").stop();
    byte[] jar = bytes(seed, 100_000);
    String sha = sha(jar);
    Answer a = post("m1", jar);
    assertEquals(201, a.code(), a.body());
    assertEquals("[\"m1\",\"m2\"]", a.json().path("masters").toString());
    assertArrayEquals(jar, Files.readAllBytes(file("m1", sha)));
    assertArrayEquals(jar, Files.readAllBytes(file("m2", sha)));
    assertFalse(Files.exists(file("m3", sha)));
  }

  @Test
  void aMasterThatDoesNotLeadRedirectsToTheLeaderOrSaysItKnowsNone(Seed seed) throws Exception {
    start(10_000_000);
    byte[] jar = bytes(seed, 1000);
    Answer a = post("m2", jar);
    assertEquals(307, a.code(), a.body());
    assertEquals(Optional.of("http://" + addresses.get("m1") + "/api/cluster/jars"), a.location());
    assertEquals("m1", a.json().path("leaderId").asText());
    assertTrue(a.json().path("error").asText().contains("master m2 does not lead; m1 does"), a.body());
    leader = "";
    Answer b = post("m2", jar);
    assertEquals(503, b.code(), b.body());
    assertTrue(b.json().path("error").asText().contains("knows no leader yet"), b.body());
    // Neither stored anything.
    for (String id : IDS) {
      assertEquals(List.of(), jarFiles(id), id);
    }
  }

  @Test
  void aJarOverTheLimitGets413AndIsNotKept(Seed seed) throws Exception {
    start(4096);
    byte[] jar = bytes(seed, 4097);
    Answer a = post("m1", jar);
    assertEquals(413, a.code(), a.body());
    assertTrue(a.json().path("error").asText()
        .contains("larger than the limit of 4096 bytes (quern.master.max-jar-size)"), a.body());
    Answer p = put("m2", sha(jar), jar);
    assertEquals(413, p.code(), p.body());
    for (String id : IDS) {
      assertEquals(List.of(), jarFiles(id), id);
    }
    assertEquals(201, post("m1", java.util.Arrays.copyOf(jar, 4096)).code());
  }

  @Test
  void aPushWhoseBytesDoNotMatchTheHashIsRefused(Seed seed) throws Exception {
    start(10_000_000);
    byte[] jar = bytes(seed, 20_000);
    byte[] bad = jar.clone();
    bad[0] ^= 1;
    Answer p = put("m2", sha(jar), bad);
    assertEquals(400, p.code(), p.body());
    assertTrue(p.json().path("error").asText().contains("has sha256 " + sha(bad)), p.body());
    assertEquals(List.of(), jarFiles("m2"));
    assertEquals(404, get("m2", sha(jar)).code());
    Answer ok = put("m2", sha(jar), jar);
    assertEquals(201, ok.code(), ok.body());
    assertArrayEquals(jar, get("m2", sha(jar)).bytes());
  }

  @Test
  void aJarAMasterLacksIs404AndABadHashIs400() throws Exception {
    start(10_000_000);
    Answer missing = get("m3", "a".repeat(64));
    assertEquals(404, missing.code());
    assertTrue(missing.json().path("error").asText().contains("master m3 holds no jar " + "a".repeat(64)),
        missing.body());
    Answer bad = get("m3", "not-a-hash");
    assertEquals(400, bad.code());
    assertTrue(bad.body().contains("not-a-hash"), bad.body());
  }
}
