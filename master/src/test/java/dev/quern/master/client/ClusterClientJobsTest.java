package dev.quern.master.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobHandle;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.master.http.KillOutcome;
import dev.quern.master.http.TestJobs;
import dev.quern.master.http.UiTestCluster;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import dev.quern.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The typed job calls of ClusterClient against a real UI server over a local cluster. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterClientJobsTest {
  private static final long SEED = 20261202L;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  private UiTestCluster ui;
  private JobStatus wordCount;
  private ClusterClient client;

  @BeforeAll
  void start() throws Exception {
    ui = new UiTestCluster(dir);
    wordCount = ui.submit(TestJobs.wordCount(dir, "wordcount", 3, SEED)).awaitCompletion(JOB_TIMEOUT);
    assertThat(wordCount.state()).as("word count: %s", wordCount.failure())
        .isEqualTo(JobState.SUCCEEDED);
    client = ClusterClient.connect("http://127.0.0.1:" + ui.server.port());
  }

  @AfterAll
  void stop() {
    TestJobs.Blocking.RELEASE.countDown();
    if (ui != null) {
      ui.close();
    }
  }

  @Test
  void jobAndJobsReadTheServersDocuments() {
    JobDoc j = client.job(wordCount.id()).orElseThrow();
    assertThat(j.id()).isEqualTo(wordCount.id());
    assertThat(j.name()).isEqualTo("wordcount");
    assertThat(j.state()).isEqualTo("SUCCEEDED");
    assertThat(j.isFinal()).isTrue();
    assertThat(j.map().tasks()).isEqualTo(3);
    assertThat(j.reduce().tasks()).isEqualTo(2);
    assertThat(j.counters().get(TaskCounter.GROUP).get(TaskCounter.MAP_INPUT_RECORDS.name()))
        .isEqualTo(wordCount.counters().get(TaskCounter.MAP_INPUT_RECORDS)).isEqualTo(3 * 200);
    assertThat(client.jobs()).extracting(JobDoc::id).contains(wordCount.id());
  }

  @Test
  void tasksReadEveryTaskWithItsAttempts() {
    List<TaskDoc> tasks = client.tasks(wordCount.id()).orElseThrow();
    assertThat(tasks).extracting(TaskDoc::id)
        .containsExactly("m-00000", "m-00001", "m-00002", "r-00000", "r-00001");
    assertThat(tasks).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo("DONE");
      assertThat(t.attempts()).singleElement()
          .satisfies(a -> assertThat(a.state()).isEqualTo("SUCCEEDED"));
    });
    long mapInput = tasks.stream().filter(t -> t.kind().equals("MAP"))
        .mapToLong(t -> t.attempts().get(0).inputRecords()).sum();
    assertThat(mapInput).isEqualTo(3 * 200);
  }

  @Test
  void anUnknownJobIsEmptyNotAnError() {
    assertThat(client.job("job-9999")).isEmpty();
    assertThat(client.tasks("job-9999")).isEmpty();
    assertThat(client.kill("job-9999").result()).isEqualTo(KillOutcome.Result.NOT_FOUND);
  }

  @Test
  void aBadRequestsAnswerIsReturnedAsItIs() {
    ClusterClient.Response r = client.get("/api/v1/jobs?state=SLEEPING");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("bad state 'SLEEPING'");
  }

  @Test
  void aKillSentToAFollowerReachesTheServerAndAFinishedJobIsNotRunning() throws Exception {
    TestJobs.Blocking.RELEASE = new CountDownLatch(1);
    try (FakeMaster follower = new FakeMaster()) {
      follower.redirectTo("127.0.0.1:" + ui.server.port());
      ClusterClient viaFollower = new ClusterClient(new MasterList(List.of(follower.address())),
          ClusterClient.Settings.defaults());
      JobHandle h = ui.submit(TestJobs.blocking(dir, "blocking"));
      Await.until(JOB_TIMEOUT, "the blocking job to run",
          () -> client.job(h.id()).map(j -> j.state().equals("RUNNING")).orElse(false));

      ClusterClient.KillReply k = viaFollower.kill(h.id());

      assertThat(k.result()).isEqualTo(KillOutcome.Result.KILLING);
      assertThat(k.state()).isEqualTo("KILLED");
      assertThat(k.failure()).startsWith("killed through the HTTP API");
      assertThat(follower.seen).singleElement()
          .satisfies(s -> assertThat(s.path()).isEqualTo("/api/v1/jobs/" + h.id() + "/kill"));
      assertThat(h.awaitCompletion(JOB_TIMEOUT).state()).isEqualTo(JobState.KILLED);

      ClusterClient.KillReply again = client.kill(h.id());
      assertThat(again.result()).isEqualTo(KillOutcome.Result.NOT_RUNNING);
      assertThat(again.message()).contains("KILLED");
    } finally {
      TestJobs.Blocking.RELEASE.countDown();
    }
  }
}
