package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.TaskView;
import dev.quern.master.http.UiServer;
import dev.quern.testkit.PromText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's metrics on {@code /metrics} of a local-mode UI server, over a real socket, after
 * jobs that really retried and speculated: every map's first attempt fails (so each map task is
 * retried once), and one reduce runs two attempts at once (speculation).
 */
class SchedulerMetricsTest {
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
  private static final Map<String, String> MAP = Map.of("kind", "map");
  private static final Map<String, String> REDUCE = Map.of("kind", "reduce");

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void retriedAndSpeculatedAttemptsAreCountedFromARealRun() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 20261202L, 3, 200);
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1));
        UiServer ui = UiServer.startLocal(cluster, 0, null)) {
      PromText before = scrape(ui);
      assertThat(before.type("quern_attempts_retried_total")).isEqualTo("counter");
      assertThat(before.type("quern_attempts_speculated_total")).isEqualTo("counter");
      assertThat(before.type("quern_tasks_pending")).isEqualTo("gauge");
      for (Map<String, String> kind : List.of(MAP, REDUCE)) {
        assertThat(before.value("quern_attempts_retried_total", kind)).isZero();
        assertThat(before.value("quern_attempts_speculated_total", kind)).isZero();
        assertThat(before.value("quern_tasks_pending", kind)).isZero();
      }

      // Three maps, each failing its first attempt in setup.
      JobStatus flaky = WordCount.job("flaky", in, tmp.resolve("out-flaky"))
          .mapper(HookedJobs.FlakyMapper.class).set("test.fail-attempts", 1).build()
          .submit(cluster).awaitCompletion(JOB_TIMEOUT);
      assertThat(flaky.state()).as("failure: %s", flaky.failure()).isEqualTo(JobState.SUCCEEDED);
      JobView flakyView = cluster.jobView(flaky.id()).orElseThrow();
      assertThat(flakyView.maps()).hasSize(3);

      // One reduce whose attempts wait for each other: the second is speculative.
      String hook = "metrics-" + UUID.randomUUID();
      JobStatus spec = WordCount.job("speculative", in, tmp.resolve("out-spec"))
          .reducer(HookedJobs.MeetingReducer.class).set(Hooks.KEY, hook).set("test.meet", 2)
          .set("quern.speculation", "true")
          .set("quern.speculation.task-duration-threshold", "0").build()
          .submit(cluster).awaitCompletion(JOB_TIMEOUT);
      assertThat(spec.state()).as("failure: %s", spec.failure()).isEqualTo(JobState.SUCCEEDED);
      JobView specView = cluster.jobView(spec.id()).orElseThrow();

      PromText after = scrape(ui);
      // Independent counts from the views: every failed attempt of the flaky job was run again
      // (the job succeeded); the speculative job failed nothing, so each extra attempt of it is
      // speculation.
      long failedMaps = attempts(flakyView.maps()).stream()
          .filter(a -> a.state() == AttemptState.FAILED).count();
      assertThat(failedMaps).isEqualTo(3);
      assertThat(attempts(specView.maps()).stream().map(AttemptView::state))
          .doesNotContain(AttemptState.FAILED);
      assertThat(specView.reduces()).singleElement()
          .satisfies(r -> assertThat(r.attempts()).hasSize(2));
      long extraSpecMaps = attempts(specView.maps()).size() - specView.maps().size();
      long extraFlakyReduces = attempts(flakyView.reduces()).size() - flakyView.reduces().size();

      assertThat(after.value("quern_attempts_retried_total", MAP)).isEqualTo(3);
      assertThat(after.value("quern_attempts_retried_total", REDUCE)).isZero();
      assertThat(after.value("quern_attempts_speculated_total", REDUCE))
          .isEqualTo(1 + extraFlakyReduces);
      assertThat(after.value("quern_attempts_speculated_total", MAP)).isEqualTo(extraSpecMaps);
      for (Map<String, String> kind : List.of(MAP, REDUCE)) {
        assertThat(after.value("quern_tasks_pending", kind)).isZero();
        assertThat(after.value("quern_tasks_running", kind)).isZero();
      }
      assertThat(after.value("quern_jobs", Map.of("state", "SUCCEEDED"))).isEqualTo(2);
      // Every finished attempt is in the duration histogram, once.
      long finishedMaps = attempts(flakyView.maps()).size() + attempts(specView.maps()).size();
      assertThat(after.value("quern_task_duration_seconds_count", MAP)).isEqualTo(finishedMaps);
      assertThat(after.value("quern_task_duration_seconds_bucket",
          Map.of("kind", "map", "le", "+Inf"))).isEqualTo(finishedMaps);
      // The JVM's metrics, by the library's names.
      assertThat(after.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
      assertThat(after.value("jvm_threads_current")).isPositive();
      assertThat(after.type("jvm_gc_collection_seconds")).isEqualTo("summary");
    }
  }

  private static List<AttemptView> attempts(List<TaskView> tasks) {
    return tasks.stream().flatMap(t -> t.attempts().stream()).toList();
  }

  private PromText scrape(UiServer ui) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + ui.port() + "/metrics"))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    return PromText.parse(r.body());
  }
}
