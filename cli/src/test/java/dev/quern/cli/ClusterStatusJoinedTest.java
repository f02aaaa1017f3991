package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quern cluster status} lists the masters the group has that DIR's processes file does
 * not name (a master joined by hand with {@code quern master --join}), as a live master's {@code
 * /api/cluster} lists them over a real socket: m1 is DIR's (its pid is this JVM's, so it counts
 * as alive) and answers at a real HTTP server with the group m1, m4 and m5; m4 answers its own
 * {@code /api/cluster} at another server, m5's address refuses connections.
 */
@Timeout(60)
class ClusterStatusJoinedTest {
  @TempDir Path tmp;
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  /**
   * A server on a free loopback port that answers {@code GET /api/cluster} with {@code doc} of
   * its own address (which is known once it is bound), anything else with 404.
   */
  private String serve(Function<String, Map<String, Object>> doc) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String self = "127.0.0.1:" + s.getAddress().getPort();
    s.createContext("/", ex -> {
      boolean status = ex.getRequestURI().getPath().equals("/api/cluster");
      byte[] out = status ? ClusterHttpClient.JSON.writeValueAsBytes(doc.apply(self))
          : "{\"error\":\"not here\"}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status ? 200 : 404, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    s.start();
    servers.add(s);
    return self;
  }

  private static Map<String, Object> status(String id, String role, long term, String http,
      List<Map<String, String>> masters) {
    Map<String, Object> doc = new TreeMap<>();
    doc.put("id", id);
    doc.put("role", role);
    doc.put("term", term);
    doc.put("leaderId", "m1");
    doc.put("leaderHttp", "");
    doc.put("http", http);
    doc.put("masters", masters);
    return doc;
  }

  @Test
  void theMastersOfTheGroupThatDirDidNotStartAreListedWithoutAPid() throws Exception {
    String m4 = serve(self -> status("m4", "FOLLOWER", 7, self, List.of()));
    String m5;
    try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      m5 = "127.0.0.1:" + closed.getLocalPort(); // nothing listens there once closed
    }
    String m1 = serve(self -> status("m1", "LEADER", 7, self, List.of(
        Map.of("id", "m1", "raft", "127.0.0.1:25001", "http", self),
        Map.of("id", "m4", "raft", "127.0.0.1:25004", "http", m4),
        Map.of("id", "m5", "raft", "127.0.0.1:25005", "http", m5))));

    Path dir = Files.createDirectories(tmp.resolve("cluster"));
    long pid = ProcessHandle.current().pid();
    new ClusterDir(dir).write(List.of(new ClusterDir.Proc("master", "m1", pid, "",
        "127.0.0.1:25001", m1, dir.resolve("logs/m1.log"))));

    CliRun json = CliRun.of("cluster", "status", "--dir", dir.toString(), "--json");
    assertEquals(0, json.exitCode(), json::toString);
    Map<String, JsonNode> byId = new TreeMap<>();
    for (JsonNode p : ClusterHttpClient.JSON.readTree(json.out()).path("processes")) {
      byId.put(p.path("id").asText(), p);
    }
    assertEquals(List.of("m1", "m4", "m5"), List.copyOf(byId.keySet()), json::toString);
    JsonNode own = byId.get("m1");
    assertEquals(pid, own.path("pid").asLong(), own::toString);
    assertTrue(own.path("fromDir").asBoolean(), own::toString);
    assertEquals("LEADER", own.path("role").asText(), own::toString);

    JsonNode joined = byId.get("m4");
    assertTrue(joined.path("pid").isNull(), joined::toString);
    assertEquals(false, joined.path("fromDir").asBoolean(true), joined::toString);
    assertTrue(joined.path("alive").asBoolean(), joined::toString);
    assertEquals(m4, joined.path("http").asText(), joined::toString);
    assertEquals("127.0.0.1:25004", joined.path("address").asText(), joined::toString);
    assertEquals("FOLLOWER", joined.path("role").asText(), joined::toString);
    assertEquals(7, joined.path("term").asLong(), joined::toString);
    assertEquals("m1", joined.path("leader").asText(), joined::toString);

    JsonNode silent = byId.get("m5");
    assertTrue(silent.path("pid").isNull(), silent::toString);
    assertEquals(false, silent.path("alive").asBoolean(true), silent::toString);
    assertTrue(silent.path("term").isNull(), silent::toString);

    CliRun table = CliRun.of("cluster", "status", "--dir", dir.toString());
    assertEquals(0, table.exitCode(), table::toString);
    assertEquals(1, table.out().lines().filter(l -> l.matches(
        "master\\s+m4\\s+-\\s+yes\\s+127\\.0\\.0\\.1:25004\\s+" + m4.replace(".", "\\.")
            + "\\s+FOLLOWER\\s+7\\s*")).count(), table::toString);
    assertEquals(1, table.out().lines().filter(l -> l.matches(
        "master\\s+m1\\s+" + pid + "\\s+yes\\s.*LEADER.*")).count(), table::toString);
    assertTrue(table.out().contains("not started from " + dir.toAbsolutePath().normalize()),
        table::toString);
  }
}
