package dev.quern.master.http;

import dev.quern.master.http.json.ErrorDoc;
import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.security.HttpAuth;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's answer to what only the leader knows (the workers page's data, attempt logs, a
 * kill): it asks the leader itself and passes the answer on, so a browser stays on the master it
 * logged in to (a 307 to another origin would lose its session cookie and its page).
 *
 * <p>What it sends: a GET goes with this master's own client token over the cluster's HTTPS
 * ({@link ClusterAccess}: the token and a trust of the cluster CA alone); the caller was already
 * let in here, and may read the same at the leader. A POST (a kill) goes with the caller's own
 * credentials instead (its {@code Authorization} and its session cookie, which every master of a
 * secured cluster takes), so the leader checks them itself and records who killed the job.
 *
 * <p>What it answers: the leader's status, body and content headers as they are (the API's JSON
 * errors stay JSON); when the leader cannot be reached, 502 naming the leader, its address and
 * why; a browser asking for a page (a log link opened in a tab) gets any error as a short HTML
 * page that says what happened rather than raw JSON.
 */
public final class LeaderForward {
  private static final Logger log = LoggerFactory.getLogger(LeaderForward.class);
  /** The leader's headers passed on: what the content needs, nothing about the connection. */
  private static final Set<String> PASSED = Set.of("content-type", "cache-control",
      "x-quern-log-size", "x-quern-log-offset", "x-quern-worker", "retry-after");
  /** Set on a request this class answered: the API's 404 handler leaves its answer alone. */
  public static final String ANSWERED = "quern.leader-forward.answered";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ClusterAccess access;
  private final HttpClient http;

  public LeaderForward(ClusterAccess access) {
    this.access = access;
    this.http = access.clientBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * Answers {@code ctx} with the leader's answer to the same request.
   *
   * @param leaderId the leader's master id, for messages
   * @param leaderHttp its HTTP {@code host:port}
   * @param pathAndQuery what to ask for there
   */
  public void forward(Context ctx, String leaderId, String leaderHttp, String pathAndQuery) {
    URI uri = access.uri(leaderHttp, pathAndQuery);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    String accept = ctx.header("Accept");
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (ctx.method() == HandlerType.POST) {
      // As the API's own guard (which runs after this on a follower): no POST from a page of
      // another origin; the leader sees none, since this master sends no Origin.
      String origin = ctx.header("Origin");
      if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
        error(ctx, 403, "refused: a POST from origin " + origin);
        return;
      }
      String auth = ctx.header(HttpAuth.HEADER);
      if (auth != null) {
        b.header(HttpAuth.HEADER, auth);
      }
      String cookie = ctx.header("Cookie");
      if (cookie != null) {
        b.header("Cookie", cookie);
      }
      b.POST(HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
    } else {
      access.authorize(b);
      b.GET();
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      log.info("leader {} at {} did not answer {} {}: {}", leaderId, leaderHttp, ctx.method(),
          ctx.path(), e.toString());
      error(ctx, 502, "Leader " + leaderId + " at " + leaderHttp + " did not answer: "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + ". Try again in a moment (an election may be under way).");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ctx, 503, "interrupted while asking leader " + leaderId);
      return;
    }
    int status = r.statusCode();
    if (status >= 300 && status < 400) {
      // The leader changed since this master last heard: the caller asks again.
      error(ctx, 503, "Master " + leaderId + " no longer leads; try again in a moment.");
      ctx.header("Retry-After", "1");
      return;
    }
    if (status >= 400 && wantsPage(ctx)) {
      error(ctx, status, "Leader " + leaderId + " answered " + status + ": "
          + message(r.body()));
      return;
    }
    ctx.status(status);
    r.headers().map().forEach((name, values) -> {
      if (PASSED.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
        ctx.header(name, values.get(0));
      }
    });
    ctx.header("X-Quern-Leader", leaderId);
    ctx.attribute(ANSWERED, true);
    ctx.result(r.body());
  }

  /**
   * Answers an error: an HTML page for a browser asking for a page, else the API's JSON error.
   */
  public static void error(Context ctx, int status, String message) {
    ctx.attribute(ANSWERED, true);
    if (wantsPage(ctx)) {
      ctx.status(status).header("Cache-Control", "no-store")
          .contentType("text/html; charset=utf-8").result(page(status, message));
    } else {
      ctx.status(status).contentType("application/json").result(Json.write(new ErrorDoc(message)));
    }
  }

  /** A browser that opened a link (not the UI's own fetch, which asks for JSON). */
  static boolean wantsPage(Context ctx) {
    String accept = ctx.header("Accept");
    return ctx.method() == HandlerType.GET && accept != null && accept.contains("text/html");
  }

  /** The leader's JSON error's text, else its body as text (cut short). */
  private static String message(byte[] body) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
    try {
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
      if (node != null && node.hasNonNull("error")) {
        return node.get("error").asText();
      }
    } catch (IOException e) {
      // not JSON: the text itself
    }
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }

  static String page(int status, String message) {
    String title = switch (status) {
      case 404 -> "Not found";
      case 410 -> "Gone";
      case 502 -> "The leader could not be reached";
      case 503 -> "Not available yet";
      default -> "Error " + status;
    };
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
        + " · Quern</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
        + "<main class=\"error-page\"><h1>" + escape(title) + "</h1><p id=\"error-message\">"
        + escape(message) + "</p><p><a href=\"/\">Back to the jobs</a></p></main></body></html>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
