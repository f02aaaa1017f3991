package dev.quern.master.submit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's line to a cluster's masters over HTTP: sends a request to the master that answered
 * last, follows a follower's 307 to the leader (keeping a POST's body), and moves on to the next
 * master when one is down or knows no leader (503), until {@code patience} is spent; so a client
 * rides out a leader's failover. The error names every master tried and what it said.
 */
public final class MasterLink {
  private final List<String> masters;
  private final Duration patience;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();
  private volatile String current;

  /** A status and body from the leader (or, for reads, from any master). */
  public record Answer(int status, String body) {}

  /**
   * @param masters HTTP addresses, {@code host:port}
   * @param patience how long a request keeps trying masters before it fails
   */
  public MasterLink(List<String> masters, Duration patience) {
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("no master address given");
    }
    this.masters = List.copyOf(masters);
    this.patience = patience;
    this.current = masters.get(0);
  }

  /**
   * Parses {@code quern://host:port,host:port,...} (the masters' HTTP addresses, as {@code quern
   * cluster start} prints them).
   */
  public static List<String> parse(String address) {
    String rest = address.trim();
    if (!rest.startsWith("quern://")) {
      throw new IllegalArgumentException("'" + address + "' is not a quern:// address");
    }
    List<String> out = new ArrayList<>();
    for (String part : rest.substring("quern://".length()).split(",")) {
      String p = part.trim();
      if (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (!p.matches("[^:/\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("'" + address + "': '" + part
            + "' is not host:port");
      }
      out.add(p);
    }
    return out;
  }

  public Answer get(String path) throws IOException, InterruptedException {
    return send("GET", path, null, null);
  }

  public Answer post(String path, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return send("POST", path, contentType, body);
  }

  private Answer send(String method, String path, String contentType, byte[] body)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    Map<String, String> tried = new LinkedHashMap<>();
    String target = current;
    int next = masters.indexOf(target);
    long pause = 50;
    while (true) {
      String why;
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + target + path))
            .timeout(Duration.ofSeconds(60));
        if (body != null) {
          b.header("Content-Type", contentType).method(method,
              HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
          b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 307) {
          String location = r.headers().firstValue("Location").orElse("");
          URI to = URI.create(location);
          if (to.getHost() != null && to.getPort() > 0) {
            target = to.getHost() + ":" + to.getPort();
            tried.put(target, "redirected here");
            continue;
          }
          why = "307 without a usable Location";
        } else if (r.statusCode() == 503) {
          why = "503 " + r.body();
        } else {
          current = target;
          return new Answer(r.statusCode(), r.body());
        }
      } catch (IOException e) {
        why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      tried.put(target, why);
      if (System.nanoTime() > deadline) {
        throw new IOException("no master took " + method + " " + path + " within "
            + patience.toSeconds() + " s: " + tried);
      }
      next = (Math.max(next, 0) + 1) % masters.size();
      target = masters.get(next);
      if (next == 0) {
        Thread.sleep(pause); // every master said no: give the election a moment
        pause = Math.min(pause * 2, 500);
      }
    }
  }
}
