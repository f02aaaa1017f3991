package dev.quern.master.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.http.KillOutcome;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.TaskDoc;
import java.io.IOException;
import java.net.ConnectException;
import dev.quern.worker.security.ClusterAccess;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP client of a Quern cluster's masters that finds the leader by itself and rides out a
 * leader failover.
 *
 * <p>A request goes to the master that answered last (at first, the first of the list). A master
 * that answers 307 or 308 is followed to its {@code Location} (the leader), with the same method
 * and body, up to {@value #MAX_REDIRECTS} hops. A master that refuses the connection, answers 502,
 * 503 or 504 (503: it knows no leader), or gives no answer in time is skipped for the next one;
 * after a round through all of them the client pauses (50 ms, doubling up to 1 s) and starts again,
 * until {@link Settings#retryFor()} (default 30 s, longer than an election) has passed (every
 * master is asked at least once, however short the bound, and a request once sent gets its whole
 * {@link Settings#requestTimeout()}, so a call lasts at most about {@code retryFor +
 * requestTimeout}). Then a
 * {@link ClusterUnavailableException} names every master tried and why it did not answer. Any
 * other status is the answer and is returned as it is.
 *
 * <p>A GET is repeated whatever went wrong. A POST is repeated only when it was not delivered
 * (connection refused, a redirect, 502/503/504); when the connection broke after it was sent it
 * may have been applied, so {@link #post} gives up then, and {@link #postIdempotent} (for requests
 * such as a kill, which are harmless twice) repeats it.
 *
 * <pre>{@code
 * ClusterClient masters = ClusterClient.connect("quern://127.0.0.1:7101,127.0.0.1:7102");
 * for (JobDoc job : masters.jobs()) {
 *   System.out.println(job.id() + " " + job.state());
 * }
 * masters.kill("job-0003");
 * }</pre>
 *
 * <p>Thread-safe. Creating one loads the JDK's HTTP client (and its TLS classes, about half a
 * second): make it where it is used, not at start-up.
 */
public final class ClusterClient {
  public static final String JOBS = "/api/v1/jobs";
  static final int MAX_REDIRECTS = 5;
  private static final long FIRST_PAUSE_MS = 50;
  private static final long MAX_PAUSE_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);

  /**
   * How long the client keeps trying.
   *
   * @param retryFor how long one call keeps starting new tries before it gives up (0: one round)
   * @param requestTimeout how long one request to one master may take before the next master is
   *     tried (a stopped leader accepts connections but never answers)
   * @param connectTimeout how long opening a connection may take
   */
  public record Settings(Duration retryFor, Duration requestTimeout, Duration connectTimeout) {
    public Settings {
      Objects.requireNonNull(retryFor, "retryFor");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (retryFor.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()
          || connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("retryFor must be >= 0, the timeouts > 0: " + retryFor
            + ", " + requestTimeout + ", " + connectTimeout);
      }
    }

    /** 30 s of retries, 5 s per request, 2 s per connection. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    public Settings withRetryFor(Duration d) {
      return new Settings(d, requestTimeout, connectTimeout);
    }

    public Settings withRequestTimeout(Duration d) {
      return new Settings(retryFor, d, connectTimeout);
    }
  }

  /**
   * One answer.
   *
   * @param master the {@code host:port} that gave it (the leader, after a redirect)
   */
  public record Response(int status, String contentType, byte[] body, String master) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * The answer to a kill.
   *
   * @param state the job's state after the kill ({@code KILLED} once it took effect), when known
   * @param message what the server said: whom it killed, or why it could not
   * @param failure the job's failure text (who killed it and when), when known
   */
  public record KillReply(KillOutcome.Result result, String state, String message,
      String failure) {}

  private final MasterList masters;
  private final Settings settings;
  private final HttpClient http;
  private final ClusterAccess access;
  private final ObjectMapper json = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  /** The master (or leader) that answered last; tried first. */
  private volatile String preferred;

  public ClusterClient(MasterList masters, Settings settings) {
    this(masters, settings, (ClusterAccess) ClusterAccess.fromEnvironment());
  }

  /**
   * A client that sends {@code token} (a secured cluster's client token, null: none) with every
   * request. The two-argument constructor takes the token of the credentials directory that the
   * environment variable {@value dev.quern.worker.security.HttpAuth#ENV} names, if set.
   */
  public ClusterClient(MasterList masters, Settings settings, String token) {
    this(masters, settings, new ClusterAccess(token, null));
  }

  /**
   * A client that reaches the masters as {@code access} says: a secured cluster's over HTTPS
   * (trusting the cluster CA alone) with its client token, an unsecured one over plain HTTP. The
   * two-argument constructor takes the access of the credentials directory that the environment
   * variable {@value dev.quern.worker.security.HttpAuth#ENV} names, if set.
   */
  public static ClusterClient create(MasterList masters, Settings settings,
      ClusterAccess access) {
    return new ClusterClient(masters, settings, access);
  }

  // Private: a public twin of the token constructor would make a null argument ambiguous.
  private ClusterClient(MasterList masters, Settings settings, ClusterAccess access) {
    this.access = Objects.requireNonNull(access, "access");
    this.masters = Objects.requireNonNull(masters, "masters");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = access.clientBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.connectTimeout())
        // Redirects are followed here, not by the JDK: it turns a 307 POST into a GET on some
        // versions, and a redirect to a dead leader must count as that master's failure.
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * This client with other settings, sharing its HTTP connections (and so cheap to make): e.g.
   * status polls that try the next master after a few seconds where an upload waits a minute.
   * The leader it prefers starts as this one's.
   */
  public ClusterClient withSettings(Settings other) {
    return new ClusterClient(this, Objects.requireNonNull(other, "settings"));
  }

  private ClusterClient(ClusterClient of, Settings settings) {
    this.access = of.access;
    this.masters = of.masters;
    this.settings = settings;
    this.http = of.http;
    this.preferred = of.preferred;
  }

  /** A client of {@code address} ({@code quern://...} or {@code http://HOST:PORT}) with the default settings. */
  public static ClusterClient connect(String address) {
    return new ClusterClient(MasterList.parse(address), Settings.defaults());
  }

  public MasterList masters() {
    return masters;
  }

  public Settings settings() {
    return settings;
  }

  /** {@code GET path} ({@code /api/...}, with any query) on some master. */
  public Response get(String path) {
    return send("GET", path, null, null, true);
  }

  /** {@code POST path} on the leader; not repeated once delivered (see the class comment). */
  public Response post(String path, String contentType, byte[] body) {
    return send("POST", path, contentType, body, false);
  }

  /** {@code POST path} on the leader, repeated until answered: only for requests harmless twice. */
  public Response postIdempotent(String path, String contentType, byte[] body) {
    return send("POST", path, contentType, body, true);
  }

  /** Every job the masters know ({@code GET /api/v1/jobs}), oldest first. */
  public List<JobDoc> jobs() {
    return jobs(List.of());
  }

  /**
   * The jobs in one of {@code states} ({@link dev.quern.api.JobState} names; none: every job).
   * An unknown state name is the server's 400, an {@link ApiErrorException}.
   */
  public List<JobDoc> jobs(List<String> states) {
    Response r = get(states.isEmpty() ? JOBS : JOBS + "?state="
        + URLEncoder.encode(String.join(",", states), StandardCharsets.UTF_8));
    expect(r, 200, "listing jobs");
    return read(r, json.getTypeFactory().constructCollectionType(List.class, JobDoc.class),
        "listing jobs");
  }

  /** The job {@code id}, or empty if no master knows it. */
  public Optional<JobDoc> job(String id) {
    Response r = get(JOBS + "/" + segment(id));
    if (r.status() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "job " + id);
    return Optional.of(read(r, json.constructType(JobDoc.class), "job " + id));
  }

  /** The tasks of job {@code id} with their attempts, or empty if no master knows the job. */
  public Optional<List<TaskDoc>> tasks(String id) {
    Response r = get(JOBS + "/" + segment(id) + "/tasks");
    if (r.status() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "tasks of job " + id);
    return Optional.of(read(r, json.getTypeFactory().constructType(
        new TypeReference<List<TaskDoc>>() {}), "tasks of job " + id));
  }

  /**
   * Kills job {@code id} on the leader. Repeated until answered: a repeat of a kill that took
   * effect answers {@link KillOutcome.Result#NOT_RUNNING}, and the job's state tells.
   */
  public KillReply kill(String id) {
    Response r = postIdempotent(JOBS + "/" + segment(id) + "/kill", "application/json",
        new byte[0]);
    switch (r.status()) {
      case 202 -> {
        JsonNode b = read(r, json.constructType(JsonNode.class), "kill of job " + id);
        return new KillReply(KillOutcome.Result.KILLING, text(b, "state"), text(b, "message"),
            text(b, "failure"));
      }
      case 404 -> {
        return new KillReply(KillOutcome.Result.NOT_FOUND, null, errorText(r), null);
      }
      case 409 -> {
        return new KillReply(KillOutcome.Result.NOT_RUNNING, null, errorText(r), null);
      }
      default -> throw new ApiErrorException("kill of job " + id, r.status(), errorText(r),
          r.master());
    }
  }

  private Response send(String method, String path, String contentType, byte[] body,
      boolean repeatable) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    long start = System.nanoTime();
    long deadline = start + settings.retryFor().toNanos();
    Map<String, Reason> reasons = new LinkedHashMap<>();
    long pause = FIRST_PAUSE_MS;
    for (int round = 1; ; round++) {
      for (String master : order()) {
        Response r = tryMaster(master, method, path, contentType, body, repeatable, reasons);
        if (r != null) {
          if (!r.master().equals(preferred)) {
            log.debug("{} {}: {} answered", method, path, r.master());
          }
          preferred = r.master();
          return r;
        }
        if (round > 1 && System.nanoTime() - deadline >= 0) {
          break; // the first round asks every master, however short the bound
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw unavailable(method + " " + path + ": no master answered within "
            + seconds(System.nanoTime() - start), reasons);
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(method + " " + path + ": interrupted while retrying", reasons);
      }
      pause = Math.min(2 * pause, MAX_PAUSE_MS);
    }
  }

  /** The answer of {@code master} or the leader it points at; null (with a reason) if none. */
  private Response tryMaster(String master, String method, String path, String contentType,
      byte[] body, boolean repeatable, Map<String, Reason> reasons) {
    URI uri = access.uri(master, path);
    String label = master;
    for (int hop = 0; ; hop++) {
      // The full timeout even near the bound: a shorter one would fail a slow but live master.
      Duration timeout = settings.requestTimeout();
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
          .header("Accept", "application/json");
      access.authorize(b);
      if (method.equals("GET")) {
        b.GET();
      } else {
        if (contentType != null) {
          b.header("Content-Type", contentType);
        }
        b.method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
      }
      HttpResponse<byte[]> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (HttpConnectTimeoutException e) {
        note(reasons, label, "connection timed out");
        return null;
      } catch (ConnectException e) {
        note(reasons, label, "connection refused");
        return null;
      } catch (HttpTimeoutException e) {
        note(reasons, label, "no answer within " + seconds(timeout.toNanos()));
        if (!repeatable) {
          throw maybeApplied(method, path, label, reasons);
        }
        return null;
      } catch (IOException e) {
        note(reasons, label, "connection failed: " + e);
        if (!repeatable) {
          throw maybeApplied(method, path, label, reasons);
        }
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(method + " " + path + ": interrupted", reasons);
      }
      int status = r.statusCode();
      if (status == 307 || status == 308) {
        Optional<String> location = r.headers().firstValue("Location");
        URI next = location.isEmpty() ? null : resolve(uri, location.get());
        if (next == null) {
          note(reasons, label, status + " without a usable Location (" + location.orElse("none")
              + ")");
          return null;
        }
        if (hop >= MAX_REDIRECTS) {
          note(reasons, label, "more than " + MAX_REDIRECTS + " redirects (last to "
              + next.getRawAuthority() + ")");
          return null;
        }
        label = label + " -> " + next.getRawAuthority();
        uri = next;
        continue;
      }
      String type = r.headers().firstValue("Content-Type").orElse("");
      Response answer = new Response(status, type, r.body(), uri.getRawAuthority());
      if (status == 502 || status == 503 || status == 504) {
        note(reasons, label, status + " " + errorText(answer));
        return null;
      }
      return answer;
    }
  }

  /**
   * A Location of the request's scheme (http, or https for a secured cluster: a redirect never
   * downgrades), absolute or relative to the request; null when it is not one.
   */
  private static URI resolve(URI from, String location) {
    try {
      URI next = from.resolve(location.trim());
      return from.getScheme().equalsIgnoreCase(next.getScheme()) && next.getRawAuthority() != null
          ? next : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The preferred master first, then the list in its order. */
  private List<String> order() {
    String p = preferred;
    List<String> out = new ArrayList<>(masters.masters().size() + 1);
    if (p != null) {
      out.add(p);
    }
    for (String m : masters.masters()) {
      if (!m.equals(p)) {
        out.add(m);
      }
    }
    return out;
  }

  /** What one master last did wrong, and how many times it was tried. */
  private static final class Reason {
    String why;
    int times;
  }

  private static void note(Map<String, Reason> reasons, String label, String why) {
    Reason r = reasons.computeIfAbsent(label, k -> new Reason());
    r.why = why;
    r.times++;
    log.debug("{}: {}", label, why);
  }

  private ClusterUnavailableException unavailable(String what, Map<String, Reason> reasons) {
    List<String> lines = new ArrayList<>();
    reasons.forEach((label, r) -> lines.add(label + ": " + r.why
        + (r.times > 1 ? " (" + r.times + " tries)" : "")));
    List<String> untried = new ArrayList<>();
    for (String m : masters.masters()) {
      if (reasons.keySet().stream().noneMatch(l -> l.equals(m) || l.startsWith(m + " -> "))) {
        untried.add(m);
      }
    }
    String msg = what + " (masters " + masters + "): " + String.join("; ", lines)
        + (untried.isEmpty() ? "" : "; not tried in time: " + String.join(", ", untried));
    return new ClusterUnavailableException(msg, lines);
  }

  private ClusterUnavailableException maybeApplied(String method, String path, String label,
      Map<String, Reason> reasons) {
    return unavailable(method + " " + path + " reached " + label + " but got no answer; it may "
        + "have been applied, so it is not repeated", reasons);
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private void expect(Response r, int status, String what) {
    if (r.status() != status) {
      throw new ApiErrorException(what, r.status(), errorText(r), r.master());
    }
  }

  private <T> T read(Response r, JavaType type, String what) {
    try {
      return json.readValue(r.body(), type);
    } catch (IOException | RuntimeException e) {
      throw new ApiErrorException(what + ": not the expected JSON (" + e.getMessage() + ")",
          r.status(), snippet(r.text()), r.master());
    }
  }

  /** The {@code error} of a JSON error body, else the start of the body. */
  private String errorText(Response r) {
    try {
      JsonNode n = json.readTree(r.body());
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: say what it was
    }
    return snippet(r.text());
  }

  private static String snippet(String s) {
    String one = s.strip().replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 200) + "..." : one;
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static String segment(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("empty job id");
    }
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
