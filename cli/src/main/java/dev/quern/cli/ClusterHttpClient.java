package dev.quern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.worker.security.HttpAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** GETs of a master's {@code /api/cluster} endpoints; redirects are not followed. */
final class ClusterHttpClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  /** The client token sent with every request (a secured cluster's), or null. */
  private final String token;

  /** A client that sends the token of {@link ClientToken#find} for the default cluster directory. */
  ClusterHttpClient() {
    this(ClientToken.find(ClusterDir.defaultDir()));
  }

  ClusterHttpClient(String token) {
    this.token = token;
  }

  /** A JSON answer and its status. */
  record Answer(int status, JsonNode body) {}

  /** The answer of {@code http://hostPort + path}, or empty if there is none (down, not JSON). */
  Optional<Answer> get(String hostPort, String path) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
          .timeout(TIMEOUT).GET();
      if (token != null) {
        b.header(HttpAuth.HEADER, HttpAuth.bearer(token));
      }
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Answer(r.statusCode(), JSON.readTree(r.body())));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
