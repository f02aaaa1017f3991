package dev.quern.master.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.client.ClusterClient;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.ProgressDoc;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A remote job handle's reads against a real HTTP server that plays the job API and counts the
 * requests: callers polling at once share one request per poll period, and a final status is
 * never read again.
 */
class RemoteJobHandleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<String> state = new AtomicReference<>("RUNNING");
  /** From this request on the job has FAILED. */
  private final AtomicInteger failsAt = new AtomicInteger(Integer.MAX_VALUE);
  private Javalin app;
  private ClusterClient client;

  @BeforeEach
  void start() {
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.routes.get("/api/v1/jobs/{id}", ctx -> {
        int n = requests.incrementAndGet();
        ctx.contentType("application/json").result(JSON.writeValueAsString(doc(
            ctx.pathParam("id"), n >= failsAt.get() ? "FAILED" : state.get())));
      });
    });
    app.start("127.0.0.1", 0);
    client = ClusterClient.connect("http://127.0.0.1:" + app.port());
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private static JobDoc doc(String id, String state) {
    double f = state.equals("RUNNING") ? 0.25 : 1;
    return new JobDoc(id, "sort", "u", state, 1L, 2L, null, 5L, List.of("/in"), "/out",
        new ProgressDoc(4, 1, 3, 0, f), new ProgressDoc(2, 0, 0, 0, 0),
        Map.of("task", Map.of("MAP_INPUT_RECORDS", 7L)), Map.of(), null);
  }

  @Test
  void readsWithinThePollPeriodShareOneRequest() throws Exception {
    RemoteJobHandle h = new RemoteJobHandle("job-0001", client, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JobStatus>> reads = pool.invokeAll(List.of(h::status, h::status, h::status,
          h::status));
      for (Future<JobStatus> r : reads) {
        JobStatus s = r.get();
        assertThat(s.state()).isEqualTo(JobState.RUNNING);
        assertThat(s.mapProgress()).isEqualTo(0.25);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(requests.get()).as("requests for 4 reads in one period").isEqualTo(1);
  }

  @Test
  void aStalePeriodReadsAgainAndAFinalStatusIsKept() throws Exception {
    RemoteJobHandle h = new RemoteJobHandle("job-0002", client, Duration.ZERO);
    assertThat(h.status().state()).isEqualTo(JobState.RUNNING);
    assertThat(h.status().state()).isEqualTo(JobState.RUNNING);
    assertThat(requests.get()).isEqualTo(2);
    state.set("SUCCEEDED");
    assertThat(h.awaitCompletion().state()).isEqualTo(JobState.SUCCEEDED);
    int seen = requests.get();
    assertThat(h.status().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(h.awaitCompletion(Duration.ofSeconds(1)).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(requests.get()).as("a final status is not read again").isEqualTo(seen);
  }

  @Test
  void theDefaultHandleFollowsTheJobToItsEnd() throws Exception {
    RemoteJobHandle h = new RemoteJobHandle("job-0003", client);
    assertThat(h.status().state()).isEqualTo(JobState.RUNNING);
    failsAt.set(requests.get() + 3); // a few polls later, whichever caller sends them
    assertThat(h.awaitCompletion().state()).isEqualTo(JobState.FAILED);
    assertThat(requests.get()).isEqualTo(failsAt.get());
  }

  @Test
  void aSubmittersHandleAsksTheNextMasterWhenOneAcceptsButNeverAnswers() throws Exception {
    // Like a leader cut off from the others: the kernel accepts, nobody answers. A handle that
    // waited the upload's minute per request there would miss the bound below.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      ClusterSubmitter submitter = ClusterSubmitter.connect("quern://127.0.0.1:"
          + silent.getLocalPort() + ",127.0.0.1:" + app.port());
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<JobStatus> read = pool.submit(() -> submitter.handle("job-0004").status());
        assertThat(read.get(45, TimeUnit.SECONDS).state()).isEqualTo(JobState.RUNNING);
      } finally {
        pool.shutdownNow();
      }
      assertThat(ClusterSubmitter.STATUS_REQUEST).isLessThan(Duration.ofSeconds(45));
      assertThat(requests.get()).isEqualTo(1);
    }
  }
}
