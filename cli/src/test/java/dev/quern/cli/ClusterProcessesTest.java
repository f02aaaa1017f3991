package dev.quern.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.testkit.Await;
import dev.quern.testkit.ChildJvm;
import dev.quern.testkit.TestProcess;
import dev.quern.testkit.TestProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code quern master} and two {@code quern worker} JVMs on 127.0.0.1, observed only over
 * the masters' HTTP endpoints: one leader that all agree on, workers registered with it, a new
 * leader (and both workers re-registered with it) after the leader is SIGKILLed, and a SIGKILLed
 * worker dropped after the heartbeat timeout. Short Raft and heartbeat timings keep it quick.
 */
@ExtendWith(TestProcesses.Extension.class)
@Timeout(300)
class ClusterProcessesTest {
  /** Generous: on a loaded two-core machine five JVMs starting at once take their time. */
  static final Duration START = Duration.ofSeconds(150);
  static final Duration BOUND = Duration.ofSeconds(60);
  /** Small, fast-starting JVMs: these processes idle. */
  static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss512k");
  static final Pattern MASTER_READY =
      Pattern.compile("^quern master (\\S+) ready: raft (\\S+), http https?://(\\S+) \\(pid \\d+\\)$");
  static final Pattern WORKER_READY =
      Pattern.compile("^quern worker (\\S+) ready: artery (\\S+) \\(pid \\d+\\)$");

  @TempDir Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The command of a {@code quern} JVM (with the module's class-data archive, {@link ChildJvm}). */
  static List<String> quern(String... args) {
    List<String> cmd = new ArrayList<>(ChildJvm.command(JVM));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Short timings for every process of a test, through the one HOCON file. */
  static Path fastConfig(Path dir) throws IOException {
    Path f = dir.resolve("fast.conf");
    Files.writeString(f, """
        quern.master { tick = 50ms, election-ticks = 10, worker-timeout = 2s, hello-interval = 200ms }
        quern.worker { heartbeat-interval = 200ms, leader-timeout = 1s }
        """);
    return f;
  }

  record Status(int code, JsonNode body, Optional<String> location) {}

  Optional<Status> get(String hostPort, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Status(r.statusCode(), ClusterHttpClient.JSON.readTree(r.body()),
          r.headers().firstValue("Location")));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One unlabelled sample of {@code GET /metrics} on {@code hostPort}; -1 if absent or unreachable. */
  double sample(String hostPort, String name) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
      return r.body().lines().filter(l -> l.startsWith(name + " "))
          .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
          .findFirst().orElse(-1);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The leader id if every master in {@code httpByMaster} answers /api/cluster, exactly one says it
   * leads, and all name it as leader in one term (and know its HTTP address); else empty.
   */
  Optional<JsonNode> agreedLeader(Map<String, String> httpByMaster) {
    JsonNode leaderDoc = null;
    Set<String> named = new TreeSet<>();
    Set<Long> terms = new TreeSet<>();
    Set<String> leaderHttp = new TreeSet<>();
    for (Map.Entry<String, String> m : httpByMaster.entrySet()) {
      Optional<Status> s = get(m.getValue(), "/api/cluster");
      if (s.isEmpty() || s.get().code() != 200) {
        return Optional.empty();
      }
      JsonNode b = s.get().body();
      assertEquals(m.getKey(), b.path("id").asText());
      named.add(b.path("leaderId").asText());
      terms.add(b.path("term").asLong());
      leaderHttp.add(b.path("leaderHttp").asText());
      if (b.path("role").asText().equals("LEADER")) {
        if (leaderDoc != null) {
          return Optional.empty(); // two claim to lead (different terms): not settled yet
        }
        leaderDoc = b;
      }
    }
    if (leaderDoc == null || named.size() != 1 || terms.size() != 1 || leaderHttp.size() != 1
        || !named.contains(leaderDoc.path("id").asText())
        || !leaderHttp.contains(httpByMaster.get(leaderDoc.path("id").asText()))) {
      return Optional.empty();
    }
    return Optional.of(leaderDoc);
  }

  /** Polls at most every 50 ms: each poll is a few HTTP requests to busy JVMs. */
  static <T> T paced(T value) {
    if (value == null || Boolean.FALSE.equals(value)) {
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
    }
    return value;
  }

  /** The ids of the workers the leader at {@code hostPort} lists (empty if it does not answer 200). */
  Set<String> workersAt(String hostPort) {
    Set<String> ids = new TreeSet<>();
    get(hostPort, "/api/cluster/workers").filter(s -> s.code() == 200).ifPresent(s -> {
      for (JsonNode w : s.body().path("workers")) {
        assertFalse(w.path("lastHeartbeat").asText().isEmpty(), w::toString);
        ids.add(w.path("id").asText());
      }
    });
    return ids;
  }

  /** The ids of the workers the UI's API of the master at {@code hostPort} shows. */
  Set<String> uiWorkersAt(String hostPort) {
    Set<String> ids = new TreeSet<>();
    get(hostPort, "/api/v1/cluster").filter(s -> s.code() == 200).ifPresent(s -> {
      for (JsonNode w : s.body().path("workers")) {
        assertTrue(w.path("lastHeartbeat").asLong() > 0, w::toString);
        ids.add(w.path("id").asText());
      }
    });
    return ids;
  }

  @Test
  void electsOneLeaderRegistersWorkersAndSurvivesTheLeadersDeath(TestProcesses procs)
      throws IOException {
    Path conf = fastConfig(tmp);
    int[] ports = FreePorts.choose(3);
    String peers = "m1=127.0.0.1:" + ports[0] + ",m2=127.0.0.1:" + ports[1] + ",m3=127.0.0.1:" + ports[2];
    Map<String, TestProcess> masters = new TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      String id = "m" + i;
      masters.put(id, procs.start(id, new ProcessBuilder(quern("master", "--config", conf.toString(),
          "--id", id, "--data", tmp.resolve(id).toString(), "--peers", peers, "--http", "127.0.0.1:0"))));
    }
    Map<String, String> httpOf = new TreeMap<>();
    for (Map.Entry<String, TestProcess> m : masters.entrySet()) {
      httpOf.put(m.getKey(), m.getValue().awaitLine(MASTER_READY, START).group(3));
    }
    ChildJvm.archive();
    String mastersArg = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    Map<String, TestProcess> workers = new TreeMap<>();
    for (String id : List.of("w1", "w2")) {
      workers.put(id, procs.start(id, new ProcessBuilder(quern("worker", "--config", conf.toString(),
          "--id", id, "--masters", mastersArg, "--slots", "2", "--data", tmp.resolve(id).toString()))));
    }

    // One leader, and every master says so in the same term.
    JsonNode first = Await.value(START, "one leader all three masters agree on",
        () -> paced(agreedLeader(httpOf).orElse(null)));
    String leader = first.path("id").asText();
    long term = first.path("term").asLong();
    assertTrue(term >= 1);
    for (TestProcess w : workers.values()) {
      w.awaitLine(WORKER_READY, START);
    }
    Await.until(BOUND, "w1 and w2 listed by leader " + leader,
        () -> paced(workersAt(httpOf.get(leader)).equals(Set.of("w1", "w2"))));
    // Each master's /metrics is its own Raft node: the leader won an election in this life, and
    // every master applied at least the leader's first entry of its term.
    assertTrue(sample(httpOf.get(leader), "quern_raft_elections_won_total") >= 1, leader);
    for (String id : httpOf.keySet()) {
      Await.until(BOUND, "master " + id + " reports applied entries in /metrics",
          () -> paced(sample(httpOf.get(id), "quern_raft_entries_applied_total") >= 1));
    }
    // A follower sends the client to the leader.
    String follower = masters.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    Status redirect = get(httpOf.get(follower), "/api/cluster/workers").orElseThrow();
    assertEquals(307, redirect.code(), redirect::toString);
    assertEquals(Optional.of("http://" + httpOf.get(leader) + "/api/cluster/workers"), redirect.location());
    // The UI's API shows the leader's workers on every master: a follower asks the leader.
    Await.until(BOUND, "w1 and w2 in the UI's API of follower " + follower,
        () -> paced(uiWorkersAt(httpOf.get(follower)).equals(Set.of("w1", "w2"))));

    // SIGKILL the leader: the other two elect a new one, and both workers find it.
    masters.get(leader).killTree();
    Map<String, String> survivors = new TreeMap<>(httpOf);
    survivors.remove(leader);
    JsonNode second = Await.value(BOUND, "a new leader both survivors agree on",
        () -> paced(agreedLeader(survivors).orElse(null)));
    String newLeader = second.path("id").asText();
    assertNotEquals(leader, newLeader);
    assertTrue(second.path("term").asLong() > term, second::toString);
    Await.until(BOUND, "w1 and w2 re-registered with the new leader " + newLeader,
        () -> paced(workersAt(httpOf.get(newLeader)).equals(Set.of("w1", "w2"))));
    for (TestProcess w : workers.values()) {
      w.awaitLine(Pattern.compile("registered with leader " + newLeader + " \\(term "
          + second.path("term").asLong() + "\\)"), BOUND);
    }

    // SIGKILL a worker: it leaves the live list after the heartbeat timeout; the other stays.
    workers.get("w2").killTree();
    Await.until(BOUND, "w2 dropped from the live workers of " + newLeader,
        () -> paced(workersAt(httpOf.get(newLeader)).equals(Set.of("w1"))));
    masters.get(newLeader).awaitLine(Pattern.compile("worker w2 is dead: no heartbeat for \\d+ ms"),
        BOUND);
    String survivor = survivors.keySet().stream().filter(id -> !id.equals(newLeader))
        .findFirst().orElseThrow();
    Await.until(BOUND, "only w1 in the UI's API of follower " + survivor,
        () -> paced(uiWorkersAt(httpOf.get(survivor)).equals(Set.of("w1"))));
  }
}
