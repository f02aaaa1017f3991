package dev.quern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.worker.security.ClusterAccess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** GETs of a master's {@code /api/cluster} endpoints; redirects are not followed. */
final class ClusterHttpClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final HttpClient client;

  /** The token sent with every request and the scheme and CA (a secured cluster's: HTTPS). */
  private final ClusterAccess access;

  /** A client with the access of {@link ClientToken#access} for the default cluster directory. */
  ClusterHttpClient() {
    this(ClientToken.access(ClusterDir.defaultDir()));
  }

  ClusterHttpClient(ClusterAccess access) {
    this.access = access;
    this.client = access.clientBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A JSON answer and its status. */
  record Answer(int status, JsonNode body) {}

  /** The answer of {@code http(s)://hostPort + path}, or empty if there is none (down, not JSON). */
  Optional<Answer> get(String hostPort, String path) {
    try {
      HttpRequest.Builder b = access.authorize(HttpRequest.newBuilder(access.uri(hostPort, path))
          .timeout(TIMEOUT).GET());
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
