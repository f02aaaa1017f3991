package dev.quern.master.cluster.jars;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.cluster.ClusterBoard;
import dev.quern.master.cluster.ClusterDocs;
import dev.quern.master.cluster.MasterProcessConfig;
import dev.quern.raft.node.RaftMonitor;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar store's HTTP routes on a master (and, the same way under {@code /api/cluster/splits},
 * the split store's: {@link BlobKind}):
 * <ul>
 *   <li>{@code POST /api/cluster/jars} (the leader only; another master redirects with 307 to the
 *       leader, or answers 503 while it knows none): the body is a jar. The leader stores it,
 *       pushes it to every other master, and answers 201 {@code {"sha256", "size", "masters"}} once
 *       a majority of the group (itself included) holds it, or 503 naming the masters that failed.
 *   <li>{@code PUT /api/cluster/jars/{sha256}}: a master stores a jar the leader pushes; 400 if
 *       the bytes do not have that hash.
 *   <li>{@code GET /api/cluster/jars/{sha256}}: the jar's bytes from any master that holds it; 404
 *       otherwise.
 * </ul>
 * A body over the size limit ({@code quern.master.max-jar-size}) gets 413 and is not kept. The
 * routes sit under {@code /api}, behind the master's loopback Host guard.
 */
public final class JarRoutes {
  private static final Logger log = LoggerFactory.getLogger(JarRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String UPLOAD = JarUpload.PATH;
  public static final String JAR = JarUpload.PATH + "/{sha256}";
  /** How long the leader waits for a push to another master. */
  static final Duration PUSH_TIMEOUT = Duration.ofSeconds(60);

  /** The answer to an upload that a majority holds. */
  public record Uploaded(String sha256, long size, List<String> masters) {}

  /** The answer to an upload that fewer than a majority hold; {@code failed}: why, by master. */
  public record NotReplicated(String error, String sha256, List<String> masters,
      Map<String, String> failed) {}

  /** Any other refusal. */
  public record Refusal(String error) {}

  private final JarStore store;
  private final BlobKind kind;
  private final JarGroup group;
  private final long maxBytes;
  private final dev.quern.worker.security.ClusterAccess access;
  private final HttpClient http;

  JarRoutes(JarStore store, JarGroup group, long maxBytes) {
    this.access = group.access();
    this.http = access.clientBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.store = store;
    this.kind = store.kind();
    this.group = group;
    this.maxBytes = maxBytes;
  }

  /** The routes of a master process, over its store in {@code data/jars}. */
  public static void register(JavalinDefaultRoutingApi routes, MasterProcessConfig config,
      RaftMonitor monitor, ClusterBoard board) {
    register(routes, open(config.data().resolve("jars"), BlobKind.JAR),
        JarGroup.of(config, monitor, board), config.maxJarBytes());
  }

  static JarStore open(java.nio.file.Path dir, BlobKind kind) {
    try {
      return new JarStore(dir, kind);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the " + kind.noun() + " store in " + dir, e);
    }
  }

  /** The routes over {@code store}, for {@code group}, refusing bodies over {@code maxBytes}. */
  public static JarRoutes register(JavalinDefaultRoutingApi routes, JarStore store, JarGroup group,
      long maxBytes) {
    JarRoutes r = new JarRoutes(store, group, maxBytes);
    routes.post(store.kind().path(), r::upload);
    routes.put(store.kind().path() + "/{sha256}", r::replicate);
    routes.get(store.kind().path() + "/{sha256}", r::download);
    return r;
  }

  JarStore store() {
    return store;
  }

  JarGroup group() {
    return group;
  }

  /**
   * Finds the bytes of hash {@code sha256}: in this master's store, else on another master (the
   * first that has them, checked against the hash and kept here). Blocks: call it off any actor
   * thread.
   */
  public Optional<JarStore.Stored> findAnywhere(String sha256) throws IOException {
    Optional<JarStore.Stored> here = store.find(sha256);
    if (here.isPresent()) {
      return here;
    }
    for (String peer : group.members()) {
      Optional<String> address = group.httpAddress(peer);
      if (peer.equals(group.selfId()) || address.isEmpty()) {
        continue;
      }
      HttpRequest req = HttpRequest.newBuilder(access.uri(address.get(), kind.path()
          + "/" + sha256)).timeout(PUSH_TIMEOUT).GET().build();
      req = authorized(req);
      try {
        HttpResponse<java.io.InputStream> r = http.send(req,
            HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = r.body()) {
          if (r.statusCode() == 200) {
            JarStore.Stored got = store.put(body, maxBytes, sha256);
            log.info("{} {} ({} bytes) fetched from master {}", kind.noun(), sha256, got.size(),
                peer);
            return Optional.of(got);
          }
        }
      } catch (IOException e) {
        log.info("{} {}: master {} at {} did not give it: {}", kind.noun(), sha256, peer,
            address.get(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + kind.noun() + " " + sha256, e);
      }
    }
    return Optional.empty();
  }

  // ---- POST: a client's upload to the leader -----------------------------------------------------

  void upload(Context ctx) throws IOException {
    if (!group.leads()) {
      discardBody(ctx);
      notLeader(ctx);
      return;
    }
    if (tooLarge(ctx)) {
      return;
    }
    JarStore.Stored jar;
    try {
      jar = store.put(ctx.bodyInputStream(), maxBytes, null);
    } catch (JarStore.TooLargeException e) {
      refuseSize(ctx);
      return;
    }
    List<String> others = new ArrayList<>(group.members());
    others.remove(group.selfId());
    int majority = group.members().size() / 2 + 1;
    Replication rep = new Replication(group.selfId(), others.size(), majority);
    for (String peer : others) {
      push(peer, jar).whenComplete((failure, err) ->
          rep.report(peer, err != null ? String.valueOf(err) : failure));
    }
    try {
      rep.enough().get(PUSH_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // the answer below names the masters that did not answer in time
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Replication.Outcome out = rep.outcome(others);
    if (out.held().size() >= majority) {
      log.info("{} {} ({} bytes) stored on {} of {} masters: {}", kind.noun(), jar.sha256(),
          jar.size(),
          out.held().size(), group.members().size(), out.held());
      json(ctx, 201, new Uploaded(jar.sha256(), jar.size(), out.held()));
      return;
    }
    StringBuilder why = new StringBuilder();
    out.failed().forEach((id, reason) -> why.append(why.length() == 0 ? "" : "; ")
        .append(id).append(": ").append(reason));
    String error = kind.noun() + " " + jar.sha256() + " is held by " + out.held().size() + " of "
        + group.members().size() + " masters (" + String.join(", ", out.held())
        + "); a majority needs " + majority + ". Failed: " + why;
    log.warn(error);
    json(ctx, 503, new NotReplicated(error, jar.sha256(), out.held(), out.failed()));
  }

  /** {@code req} with the group's client token, when the cluster is secured. */
  private HttpRequest authorized(HttpRequest req) {
    Optional<String> token = group.token();
    return token.isEmpty() ? req : HttpRequest.newBuilder(req, (n, v) -> true)
        .header(dev.quern.worker.security.HttpAuth.HEADER,
            dev.quern.worker.security.HttpAuth.bearer(token.get())).build();
  }

  /** Pushes the stored bytes to {@code peer}: completes with null, or with why it failed. */
  private CompletableFuture<String> push(String peer, JarStore.Stored jar) {
    Optional<String> address = group.httpAddress(peer);
    if (address.isEmpty()) {
      return CompletableFuture.completedFuture("its HTTP address is not known yet");
    }
    HttpRequest req;
    try {
      req = HttpRequest.newBuilder(access.uri(address.get(), kind.path() + "/"
              + jar.sha256()))
          .timeout(PUSH_TIMEOUT).header("Content-Type", kind.contentType())
          .PUT(HttpRequest.BodyPublishers.ofFile(jar.path())).build();
      req = authorized(req);
    } catch (IOException e) {
      return CompletableFuture.completedFuture("cannot read the stored " + kind.noun() + ": "
          + e.getMessage());
    }
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, err) -> {
      if (err != null) {
        Throwable cause = err.getCause() != null ? err.getCause() : err;
        String why = cause instanceof ConnectException ? "connection refused"
            : cause instanceof HttpTimeoutException ? "no answer within " + PUSH_TIMEOUT.toSeconds() + " s"
            : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
        return "at " + address.get() + ": " + why;
      }
      return r.statusCode() == 200 || r.statusCode() == 201 ? null
          : "at " + address.get() + ": HTTP " + r.statusCode() + " " + r.body();
    });
  }

  private void notLeader(Context ctx) {
    String leader = group.leaderId();
    if (leader.equals(group.selfId())) {
      leader = ""; // elected a moment ago and not yet leading in this status: ask again
    }
    String address = leader.isEmpty() ? "" : group.httpAddress(leader).orElse("");
    if (address.isEmpty()) {
      json(ctx, 503, new ClusterDocs.NotLeader("master " + group.selfId()
          + " does not lead and " + (leader.isEmpty() ? "knows no leader yet"
          : "does not know leader " + leader + "'s HTTP address yet")
          + ": upload the " + kind.noun() + " to the leader", leader, ""));
      return;
    }
    ctx.header("Location", access.scheme() + "://" + address + kind.path());
    json(ctx, 307, new ClusterDocs.NotLeader("master " + group.selfId() + " does not lead; "
        + leader + " does: upload the " + kind.noun() + " to it", leader, address));
  }

  // ---- PUT: the leader's push to another master --------------------------------------------------

  void replicate(Context ctx) throws IOException {
    String sha = ctx.pathParam("sha256");
    if (!JarStore.isSha256(sha)) {
      json(ctx, 400, new Refusal("not a SHA-256 (64 lowercase hex digits): '" + sha + "'"));
      return;
    }
    if (tooLarge(ctx)) {
      return;
    }
    try {
      JarStore.Stored jar = store.put(ctx.bodyInputStream(), maxBytes, sha);
      json(ctx, 201, new Uploaded(jar.sha256(), jar.size(), List.of(group.selfId())));
    } catch (JarStore.HashMismatchException e) {
      json(ctx, 400, new Refusal(e.getMessage()));
    } catch (JarStore.TooLargeException e) {
      refuseSize(ctx);
    }
  }

  // ---- GET: anyone's download -------------------------------------------------------------------

  void download(Context ctx) throws IOException {
    String sha = ctx.pathParam("sha256");
    if (!JarStore.isSha256(sha)) {
      json(ctx, 400, new Refusal("not a SHA-256 (64 lowercase hex digits): '" + sha + "'"));
      return;
    }
    Optional<JarStore.Stored> jar = store.find(sha);
    if (jar.isEmpty()) {
      json(ctx, 404, new Refusal("master " + group.selfId() + " holds no " + kind.noun() + " "
          + sha));
      return;
    }
    // No Content-Length of our own: the server may compress the stream, and the worker checks the
    // hash of what it receives anyway.
    ctx.status(200).contentType(kind.contentType())
        .result(Files.newInputStream(jar.get().path()));
  }

  // ---- the size limit ---------------------------------------------------------------------------

  /** Refuses (413) a request whose declared length is over the limit before reading it. */
  /**
   * Reads and drops a body this master will not store (up to the size limit): answered unread,
   * Jetty closes the connection behind a large body, and a client still writing it may see a
   * reset instead of the 307 to the leader.
   */
  private void discardBody(Context ctx) throws IOException {
    String declared = ctx.header("Content-Length");
    try {
      if (declared != null && Long.parseLong(declared.trim()) > maxBytes) {
        return; // too large to read for nothing: the connection goes, as before
      }
    } catch (NumberFormatException e) {
      return;
    }
    byte[] scratch = new byte[64 * 1024];
    long left = maxBytes;
    try (var in = ctx.bodyInputStream()) {
      for (int n; left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0; ) {
        left -= n;
      }
    }
  }

  private boolean tooLarge(Context ctx) {
    String declared = ctx.header("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBytes) {
          refuseSize(ctx);
          return true;
        }
      } catch (NumberFormatException e) {
        // Jetty refuses a malformed length before we see it; a body read to the limit is safe anyway
      }
    }
    return false;
  }

  private void refuseSize(Context ctx) {
    json(ctx, 413, new Refusal(kind.noun() + " refused: larger than the limit of " + maxBytes
        + " bytes (quern.master.max-jar-size)"));
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The pushes of one upload: completes {@link #enough()} at a majority, or when all answered. */
  private static final class Replication {
    record Outcome(List<String> held, Map<String, String> failed) {}

    private final List<String> held = new ArrayList<>();
    private final Map<String, String> failed = new TreeMap<>();
    private final int pushes;
    private final int majority;
    private final CompletableFuture<Void> enough = new CompletableFuture<>();

    Replication(String self, int pushes, int majority) {
      this.held.add(self);
      this.pushes = pushes;
      this.majority = majority;
      check();
    }

    synchronized void report(String peer, String failure) {
      if (failure == null) {
        held.add(peer);
      } else {
        failed.put(peer, failure);
      }
      check();
    }

    private void check() {
      if (held.size() >= majority || held.size() - 1 + failed.size() == pushes) {
        enough.complete(null);
      }
    }

    CompletableFuture<Void> enough() {
      return enough;
    }

    /** What is known now; a push still under way counts as failed ("no answer yet"). */
    synchronized Outcome outcome(List<String> peers) {
      Map<String, String> f = new TreeMap<>(failed);
      for (String p : peers) {
        if (!held.contains(p) && !f.containsKey(p)) {
          f.put(p, "no answer within " + PUSH_TIMEOUT.toSeconds() + " s");
        }
      }
      List<String> h = new ArrayList<>(held);
      h.sort(null);
      return new Outcome(h, f);
    }
  }
}
