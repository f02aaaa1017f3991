package dev.quern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks a running cluster for one membership change ({@code POST /api/cluster/members} of the
 * masters' HTTP endpoints): tries each master in turn, follows a follower's redirect to the
 * leader, and asks again while no leader can take it (no answer, 503, or 409: another change or a
 * transfer under way) until {@code retryFor} has passed.
 */
final class MembershipClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String PATH = "/api/cluster/members";

  /** The client token and scheme ({@link ClientToken#access}). */
  private final dev.quern.worker.security.ClusterAccess access =
      ClientToken.access(ClusterDir.defaultDir());
  private final HttpClient client = access.clientBuilder()
      .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

  /** The masters' HTTP addresses of {@code quern://HOST:PORT,...} (or a plain list). */
  static List<String> addresses(String option, String text) {
    String list = text.trim().startsWith("quern://") ? text.trim().substring(8) : text.trim();
    List<String> out = new ArrayList<>();
    for (String a : list.split(",")) {
      if (!a.isBlank()) {
        out.add(a.trim());
      }
    }
    if (out.isEmpty()) {
      throw new UsageException(option + ": no master HTTP address in '" + text + "'");
    }
    return out;
  }

  /** {@code change} ("join" or "remove") of master {@code id}; returns the leader's answer. */
  JsonNode change(List<String> masters, String change, String id, Duration retryFor) {
    return change(masters, Map.of("change", change, "id", id), retryFor);
  }

  /**
   * Adds master {@code id} with its Raft address and Raft node id (what the leader puts in the
   * log, so that every master learns it).
   */
  JsonNode join(List<String> masters, String id, String raft, long node, Duration retryFor) {
    return change(masters, Map.of("change", "join", "id", id, "raft", raft, "node", node),
        retryFor);
  }

  private JsonNode change(List<String> masters, Map<String, Object> request, Duration retryFor) {
    String change = String.valueOf(request.get("change"));
    String id = String.valueOf(request.get("id"));
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + retryFor.toNanos();
    List<String> why = new ArrayList<>();
    while (true) {
      why.clear();
      for (String m : masters) {
        String url = access.scheme() + "://" + m + PATH;
        for (int hop = 0; hop < 2 && url != null; hop++) {
          HttpResponse<String> r;
          try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            access.authorize(b);
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
          } catch (IOException e) {
            why.add(url + ": " + e.getClass().getSimpleName());
            break;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while asking the cluster to " + change + " " + id);
          }
          JsonNode doc = read(r.body());
          if (r.statusCode() == 200) {
            return doc;
          }
          if (r.statusCode() == 400) {
            throw new CliException("the cluster refused to " + change + " master " + id + ": "
                + doc.path("error").asText(r.body()));
          }
          why.add(url + ": " + r.statusCode() + " " + doc.path("error").asText(r.body()));
          url = r.statusCode() == 307 ? r.headers().firstValue("Location").orElse(null) : null;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CliException("no master took the change (" + change + " " + id + ") within "
            + retryFor.toSeconds() + " s: " + String.join("; ", why));
      }
      try {
        Thread.sleep(250); // pace of the retries while an election or another change runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while asking the cluster to " + change + " " + id);
      }
    }
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("error", body);
    }
  }

  /** One line: what was done and the configuration in force. */
  static String describe(JsonNode answer) {
    return "master " + answer.path("id").asText() + ": " + answer.path("outcome").asText()
        + "; voters " + list(answer.path("voters")) + ", learners " + list(answer.path("learners"));
  }

  private static String list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out.isEmpty() ? "none" : String.join(" ", out);
  }
}
