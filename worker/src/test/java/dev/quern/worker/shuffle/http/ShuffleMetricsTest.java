package dev.quern.worker.shuffle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Await;
import dev.quern.testkit.PromText;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.metrics.MetricsText;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's {@code /metrics} on its shuffle server, scraped over a real socket after real
 * fetches: the bytes served equal the stored bytes of the map output's partitions that the
 * reduces fetched, and the fetching side counts the same bytes and its failures.
 */
@ExtendWith(Seeds.class)
class ShuffleMetricsTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void bytesServedAndFetchedAreThoseOfTheMapOutput(Seed seed) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    WorkerMetrics served = WorkerMetrics.withJvm();
    WorkerMetrics fetching = new WorkerMetrics();
    try (ShuffleServer server = ShuffleServer.start(null, 0, data, false, served);
        HttpShuffleSource source = new HttpShuffleSource("127.0.0.1:1", fetching)) {
      ShuffleFixture fx = new ShuffleFixture(tmp, true, "64m", Map.of());
      MapOutputRef ref = fx.map(server.registering(new PipelineTaskRunner(server.address(), null)),
          data, seed.random(), 3000);
      PartitionIndex index = PartitionIndex.read(Path.of(ref.indexFile()));
      long stored = 0;
      for (int p = 0; p < ShuffleFixture.REDUCES; p++) {
        stored += index.entry(p).storedLength();
      }
      assertThat(stored).isPositive();

      PromText idle = scrape(server);
      assertThat(idle.value("quern_shuffle_served_bytes_total")).isZero();

      // Every reduce fetches its partition over HTTP (the source is not the server's worker).
      assertThat(ShuffleFixture.counts(fx.reduceAll("http", List.of(ref), source)))
          .isEqualTo(fx.expected);

      long expected = stored;
      // The server counts a body once it was all written, which may be just after the reader
      // got its last byte.
      Await.until(BOUND, "the served bytes to reach " + expected,
          () -> scrape(server).value("quern_shuffle_served_bytes_total") == expected);
      PromText m = scrape(server);
      assertThat(m.type("quern_shuffle_served_bytes_total")).isEqualTo("counter");
      assertThat(m.value("quern_shuffle_requests_total", Map.of("code", "200")))
          .isEqualTo(ShuffleFixture.REDUCES);
      assertThat(m.value("quern_shuffle_serve_failures_total")).isZero();
      // A worker's metrics carry its JVM's, by the library's names.
      assertThat(m.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
      assertThat(m.value("jvm_threads_current")).isPositive();

      PromText f = read(fetching);
      assertThat(f.value("quern_shuffle_fetched_bytes_total")).isEqualTo(expected);
      assertThat(f.value("quern_shuffle_fetch_failures_total", Map.of("reason", "lost"))).isZero();
      assertThat(f.value("quern_shuffle_fetch_failures_total", Map.of("reason", "error")))
          .isZero();

      // An output the server does not have: a 404 there, a lost fetch here.
      MapOutputRef missing = new MapOutputRef(9, new TaskAttemptId(ShuffleFixture.JOB_ID,
          TaskKind.MAP, 9, 1), server.address(), ref.dataFile(), ref.indexFile());
      assertThatThrownBy(() -> source.open(missing, 0)).isInstanceOf(MapOutputLostException.class);
      // A server that is not there: an error (the fetcher would retry it).
      int closed;
      try (ServerSocket s = new ServerSocket(0)) {
        closed = s.getLocalPort();
      }
      MapOutputRef gone = new MapOutputRef(0, ref.attempt(), "127.0.0.1:" + closed,
          ref.dataFile(), ref.indexFile());
      assertThatThrownBy(() -> source.open(gone, 0)).isInstanceOf(IOException.class)
          .isNotInstanceOf(MapOutputLostException.class);

      assertThat(scrape(server).value("quern_shuffle_requests_total", Map.of("code", "404")))
          .isEqualTo(1);
      f = read(fetching);
      assertThat(f.value("quern_shuffle_fetch_failures_total", Map.of("reason", "lost")))
          .isEqualTo(1);
      assertThat(f.value("quern_shuffle_fetch_failures_total", Map.of("reason", "error")))
          .isEqualTo(1);
      assertThat(f.value("quern_shuffle_fetched_bytes_total")).isEqualTo(expected);
    }
  }

  private PromText scrape(ShuffleServer server) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.metricsUrl()))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElse(""))
          .isEqualTo(MetricsText.CONTENT_TYPE);
      return PromText.parse(r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static PromText read(WorkerMetrics metrics) {
    return PromText.parse(new String(MetricsText.scrape(metrics.registry()),
        StandardCharsets.UTF_8));
  }
}
