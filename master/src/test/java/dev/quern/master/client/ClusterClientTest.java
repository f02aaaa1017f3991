package dev.quern.master.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ClusterClient against real HTTP servers playing leader, followers and dead masters. */
@ExtendWith(Seeds.class)
class ClusterClientTest {
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeLater) {
      c.close();
    }
  }

  private FakeMaster master() {
    FakeMaster m = new FakeMaster();
    closeLater.add(m);
    return m;
  }

  /** An address where nothing listens: the port is held by a bound socket that never listens. */
  private String dead() throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    closeLater.add(s);
    return "127.0.0.1:" + s.getLocalPort();
  }

  private static ClusterClient client(Duration retryFor, String... masters) {
    return new ClusterClient(new MasterList(List.of(masters)),
        ClusterClient.Settings.defaults().withRetryFor(retryFor));
  }

  @Test
  void aGetIsAnsweredByTheFirstMasterThatAnswers() {
    FakeMaster follower = master().behave(ctx -> ctx.result("from follower"));
    FakeMaster leader = master().lead();
    ClusterClient c = client(Duration.ofSeconds(5), follower.address(), leader.address());

    ClusterClient.Response r = c.get("/api/v1/jobs?state=RUNNING");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("from follower");
    assertThat(r.master()).isEqualTo(follower.address());
    assertThat(follower.seen).singleElement().satisfies(s -> {
      assertThat(s.method()).isEqualTo("GET");
      assertThat(s.path()).isEqualTo("/api/v1/jobs");
    });
    assertThat(leader.requests.get()).isZero();
  }

  @Test
  void aPostToAFollowerIsFollowedToTheLeaderWithItsBodyAndType(Seed seed) {
    FakeMaster leader = master().lead();
    FakeMaster follower = master().redirectTo(leader);
    byte[] body = new byte[100_000];
    seed.random().nextBytes(body); // not UTF-8: the bytes must arrive as they are
    ClusterClient c = client(Duration.ofSeconds(5), follower.address(), leader.address());

    ClusterClient.Response r = c.post("/api/cluster/jobs", "application/octet-stream", body);

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.master()).isEqualTo(leader.address());
    assertThat(r.text()).contains("\"from\":\"" + leader.address() + "\"")
        .contains("\"length\":" + body.length);
    assertThat(follower.seen).singleElement().satisfies(s -> assertThat(s.body()).isEqualTo(body));
    assertThat(leader.seen).singleElement().satisfies(s -> {
      assertThat(s.method()).isEqualTo("POST");
      assertThat(s.path()).isEqualTo("/api/cluster/jobs");
      assertThat(s.contentType()).isEqualTo("application/octet-stream");
      assertThat(s.body()).isEqualTo(body);
    });
  }

  @Test
  void deadMastersAndMastersWithoutALeaderAreSkippedAndTheAnsweringOneIsRemembered()
      throws IOException {
    String dead = dead();
    FakeMaster lost = master().noLeader("master m2 knows no leader yet");
    FakeMaster leader = master().lead();
    ClusterClient c = client(Duration.ofSeconds(10), dead, lost.address(), leader.address());

    assertThat(c.post("/api/v1/jobs/job-0001/kill", "application/json", new byte[0]).master())
        .isEqualTo(leader.address());
    assertThat(lost.requests.get()).isEqualTo(1);

    // The next call goes straight to the master that answered.
    assertThat(c.get("/api/v1/jobs").master()).isEqualTo(leader.address());
    assertThat(lost.requests.get()).isEqualTo(1);
    assertThat(leader.requests.get()).isEqualTo(2);
  }

  @Test
  void aClientRidesOutALeaderFailoverInTheMiddleOfItsRetries(Seed seed) {
    FakeMaster a = master().lead();
    FakeMaster b = master().redirectTo(a);
    FakeMaster c = master().redirectTo(a);
    ClusterClient client = client(Duration.ofSeconds(30), b.address(), c.address(), a.address());
    assertThat(client.post("/api/cluster/jobs", "text/plain", "first".getBytes()).master())
        .isEqualTo(a.address());

    // The leader dies. b knows no leader for its next 4 requests (an election), then leads; c
    // still points at the dead leader until b leads.
    String aAddress = a.address();
    a.close();
    int electionRequests = 4;
    AtomicInteger asked = new AtomicInteger();
    b.behave(ctx -> {
      if (asked.incrementAndGet() <= electionRequests) {
        ctx.status(503).contentType("application/json").result("{\"error\":\"electing\"}");
      } else {
        ctx.status(202).result("b leads; got " + ctx.body());
      }
    });
    c.behave(ctx -> {
      String leader = asked.get() <= electionRequests ? aAddress : b.address();
      ctx.status(307).header("Location", "http://" + leader + ctx.path());
    });
    String payload = "second-" + seed.value();

    ClusterClient.Response r = client.post("/api/cluster/jobs", "text/plain", payload.getBytes());

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.master()).isEqualTo(b.address());
    assertThat(r.text()).isEqualTo("b leads; got " + payload);
    assertThat(asked.get()).as("b was asked through the election and once after")
        .isEqualTo(electionRequests + 1);
    // Every POST that reached b carried the body, the refused ones included.
    assertThat(b.seen.subList(1, b.seen.size()))
        .allSatisfy(s -> assertThat(new String(s.body())).isEqualTo(payload));
  }

  @Test
  void withNoRetryTimeEveryMasterIsStillAskedOnce() throws IOException {
    String dead = dead();
    FakeMaster lost = master().noLeader("electing");
    FakeMaster leader = master().lead();
    ClusterClient c = client(Duration.ZERO, dead, lost.address(), leader.address());

    assertThat(c.get("/api/v1/jobs").master()).isEqualTo(leader.address());
    assertThat(lost.requests.get()).isEqualTo(1);
  }

  @Test
  void givingUpNamesEveryMasterTriedAndWhy() throws IOException {
    String dead = dead();
    String deadLeader = dead();
    FakeMaster lost = master().noLeader("master m2 knows no leader yet");
    FakeMaster stale = master().redirectTo(deadLeader);
    // Long enough for a second round on a loaded machine (a bound, not a timing assertion).
    ClusterClient c = client(Duration.ofSeconds(3), dead, lost.address(), stale.address());

    assertThatThrownBy(() -> c.get("/api/v1/jobs"))
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("GET /api/v1/jobs: no master answered within")
        .hasMessageContaining(dead + ": connection refused")
        .hasMessageContaining(lost.address() + ": 503 master m2 knows no leader yet")
        .hasMessageContaining(stale.address() + " -> " + deadLeader + ": connection refused")
        .satisfies(e -> assertThat(((ClusterUnavailableException) e).reasons()).hasSize(3));
    assertThat(lost.requests.get()).as("retried until the bound").isGreaterThan(1);
  }

  @Test
  void aRedirectLoopIsTheMastersFailure() {
    FakeMaster a = master();
    FakeMaster b = master().redirectTo(a);
    a.redirectTo(b);
    ClusterClient c = client(Duration.ZERO, a.address());

    assertThatThrownBy(() -> c.get("/api/cluster/workers"))
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("more than " + ClusterClient.MAX_REDIRECTS + " redirects");
    assertThat(a.requests.get() + b.requests.get()).isEqualTo(ClusterClient.MAX_REDIRECTS + 1);
  }

  @Test
  void aMasterThatAcceptsButNeverAnswersIsSkippedAfterTheRequestTimeout() throws Exception {
    try (ServerSocket stopped = new ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      FakeMaster leader = master().lead();
      // Like a SIGSTOPped leader: the kernel accepts the connection, nobody reads or answers.
      ClusterClient c = new ClusterClient(new MasterList(List.of(
          "127.0.0.1:" + stopped.getLocalPort(), leader.address())),
          ClusterClient.Settings.defaults().withRequestTimeout(Duration.ofMillis(300)));

      assertThat(c.get("/api/v1/jobs").master()).isEqualTo(leader.address());
    }
  }

  @Test
  void aPostThatWasDeliveredIsNotRepeatedUnlessIdempotent() throws Exception {
    try (ServerSocket hangUp = new ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      AtomicInteger connections = new AtomicInteger();
      Thread server = new Thread(() -> {
        // Reads each request and closes without an answer: a leader killed mid-request.
        while (!hangUp.isClosed()) {
          try (Socket s = hangUp.accept(); InputStream in = s.getInputStream()) {
            connections.incrementAndGet();
            in.read(new byte[8192]);
          } catch (IOException e) {
            return;
          }
        }
      }, "hang-up-server");
      server.setDaemon(true);
      server.start();
      String at = "127.0.0.1:" + hangUp.getLocalPort();
      ClusterClient c = client(Duration.ofMillis(500), at);

      assertThatThrownBy(() -> c.post("/api/cluster/jobs", "text/plain", "x".getBytes()))
          .isInstanceOf(ClusterUnavailableException.class)
          .hasMessageContaining("POST /api/cluster/jobs reached " + at)
          .hasMessageContaining("it may have been applied, so it is not repeated");
      // The JDK client itself may resend once on a closed keep-alive connection; never more.
      int once = connections.get();
      assertThat(once).isBetween(1, 2);

      ClusterClient patient = client(Duration.ofSeconds(1), at);
      assertThatThrownBy(() -> patient.postIdempotent("/api/v1/jobs/j/kill", "text/plain",
          new byte[0]))
          .isInstanceOf(ClusterUnavailableException.class)
          .hasMessageContaining("no master answered within");
      assertThat(connections.get() - once).as("repeated until the bound").isGreaterThan(2);
    }
  }

  @Test
  void anErrorAnswerToATypedCallIsAnApiErrorWithTheServersText() {
    FakeMaster broken = master().behave(ctx -> ctx.status(500).contentType("application/json")
        .result("{\"error\":\"internal error: disk full\"}"));
    FakeMaster garbled = master().behave(ctx -> ctx.status(200).result("<html>not json</html>"));

    assertThatThrownBy(() -> client(Duration.ZERO, broken.address()).jobs())
        .isInstanceOf(ApiErrorException.class)
        .hasMessage("listing jobs: " + broken.address() + " answered 500: internal error: disk full")
        .satisfies(e -> assertThat(((ApiErrorException) e).status()).isEqualTo(500));
    assertThatThrownBy(() -> client(Duration.ZERO, garbled.address()).job("job-0001"))
        .isInstanceOf(ApiErrorException.class)
        .hasMessageContaining("job job-0001: not the expected JSON")
        .hasMessageContaining("<html>not json</html>");
  }

  @Test
  void aPathMustBeAbsolute() {
    ClusterClient c = client(Duration.ZERO, "127.0.0.1:1");
    assertThatThrownBy(() -> c.get("api/v1/jobs")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with '/'");
  }
}
