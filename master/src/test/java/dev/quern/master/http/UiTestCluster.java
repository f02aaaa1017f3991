package dev.quern.master.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quern.api.Job;
import dev.quern.api.JobHandle;
import dev.quern.master.local.LocalCluster;
import dev.quern.master.local.LocalClusterOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A local cluster (2 workers of 2 slots, the default runner: the real data path) with a UI server in front of it that
 * saves finished jobs to a history directory, plus HTTP helpers for the tests.
 */
public final class UiTestCluster implements AutoCloseable {
  public final LocalCluster cluster;
  public final UiServer server;
  public final Path history;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  public UiTestCluster(Path dir) {
    this.history = dir.resolve("history");
    this.cluster = LocalCluster.start(LocalClusterOptions.defaults().withWorkers(2)
        .withSlotsPerWorker(2).withWorkDir(dir.resolve("work")));
    try {
      this.server = UiServer.startLocal(cluster, 0, history);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public JobHandle submit(Job job) {
    return job.submit(cluster);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  public Response post(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path)))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("content-type").orElse(""),
          r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  /** One HTTP answer. */
  public record Response(int status, String contentType, String body) {
    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      cluster.close();
    }
  }
}
