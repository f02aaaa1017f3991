package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.worker.security.ClusterAccess;
import dev.quern.worker.task.TaskAttemptId;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attempt progress on every master, as a Hadoop or Spark user expects of any master's UI and
 * {@code quern status}. Progress is the leader's soft state (workers report it to the leader
 * only, many times a second per attempt: too many entries for the log), so the leader serves it
 * ({@code GET /api/cluster/progress}: the running attempts' fractions, with its id and term) and
 * a master that does not lead asks for it twice a second while a job of its book runs and someone
 * reads its views (a request to its job API in the last {@link #WANTED_FOR}, or a browser
 * following its events), over the
 * cluster's HTTP client ({@link ClusterAccess}: the client token, and TLS trusting the cluster CA
 * alone, on a secured cluster), and publishes its views with it ({@link ProgressViews#fromLeader}).
 * While no leader is known or the leader does not answer for {@link #STALE}, the views show the
 * replicated book's state (0 for running attempts) and the API says so ({@link ProgressViews#note},
 * the job document's {@code progressNote}).
 *
 * <p>Nobody reading a follower's views (the usual case: a client polls the master that took its
 * submission, the leader), the follower does not ask: two followers asking twice a second cost
 * the leader and themselves a request each time, for views no one looks at. The first request
 * after such a pause asks the leader before it is answered (at most {@link #TIMEOUT}), so what
 * it reads is the leader's progress, not the last one heard.
 */
final class LeaderProgress implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderProgress.class);
  static final String PATH = "/api/cluster/progress";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EVERY = Duration.ofMillis(500);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** An answer older than this is not shown: the book's state is, with the note. */
  static final Duration STALE = Duration.ofSeconds(3);
  /** How long after a request to this master's job API it goes on asking the leader. */
  static final Duration WANTED_FOR = Duration.ofSeconds(10);

  /** The leader's answer. */
  record Answer(String leaderId, long term, Map<String, Float> attempts) {}

  private final MasterProcessConfig config;
  private final RaftMonitor raft;
  private final ClusterBoard board;
  private final ProgressViews progress;
  private final ClusterAccess access;
  private final ScheduledExecutorService timer;
  /** Whether a browser follows this master's events (its views are read as they change). */
  private final java.util.function.BooleanSupplier watched;
  private HttpClient client;
  private long lastAnswerNanos = System.nanoTime();
  private String lastFailure = "";
  /** When this master's job API was last asked (nanos); long ago at first. */
  private final java.util.concurrent.atomic.AtomicLong asked =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - (1L << 60));
  private volatile boolean started;
  /** Answers served as leader (null: not counted). */
  private io.prometheus.metrics.core.metrics.Counter served;

  private LeaderProgress(MasterProcessConfig config, RaftMonitor raft, ClusterBoard board,
      ProgressViews progress, java.util.function.BooleanSupplier watched) {
    this.config = config;
    this.raft = raft;
    this.board = board;
    this.progress = progress;
    this.watched = watched;
    this.access = ClusterAccess.of(config.security());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "quern-leader-progress");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A follower's progress poller, not started yet ({@link #start()}).
   *
   * @param watched whether a browser follows this master's events now
   */
  static LeaderProgress create(MasterProcessConfig config, RaftMonitor raft, ClusterBoard board,
      ProgressViews progress, java.util.function.BooleanSupplier watched,
      io.prometheus.metrics.model.registry.PrometheusRegistry metrics) {
    LeaderProgress p = new LeaderProgress(config, raft, board, progress, watched);
    p.served = io.prometheus.metrics.core.metrics.Counter.builder()
        .name("quern_leader_progress_served_total")
        .help("Answers of this master, as leader, to the other masters' requests for attempt "
            + "progress (each asks twice a second while its job views are read).")
        .register(metrics);
    return p;
  }

  /**
   * The leader's route (on another master it answers 503: the caller asks the leader), and the
   * mark of every request to the job API under {@code apiPrefix} ({@link #asked()}).
   */
  void register(RoutesConfig routes, String apiPrefix) {
    routes.get(PATH, ctx -> {
      if (serve(ctx, config, raft, progress) && served != null) {
        served.inc();
      }
    });
    routes.before(apiPrefix + "/*", ctx -> asked());
  }

  /** Answers a follower's request; true when this master led and answered. */
  private static boolean serve(Context ctx, MasterProcessConfig config, RaftMonitor raft,
      ProgressViews progress) throws JsonProcessingException {
    Optional<RaftStatus> s = raft.status();
    if (s.isEmpty() || !s.get().isLeader()) {
      ctx.status(503).contentType("application/json").result(JSON.writeValueAsString(
          Map.of("error", "master " + config.id() + " does not lead")));
      return false;
    }
    ctx.status(200).contentType("application/json").result(JSON.writeValueAsString(
        new Answer(config.id(), s.get().term(), progress.snapshot())));
    return true;
  }

  /** Starts asking the leader, on a thread of its own, while this master does not lead. */
  LeaderProgress start() {
    started = true;
    timer.scheduleWithFixedDelay(this::poll, EVERY.toMillis(), EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * A request to this master's job API: asking the leader goes on for {@link #WANTED_FOR}. After
   * a pause with no request the leader is asked at once, and the request waits for its answer
   * (at most twice the request's timeout to the leader), so it reads the progress of now.
   */
  void asked() {
    long now = System.nanoTime();
    long before = asked.getAndSet(now);
    if (!started || now - before <= WANTED_FOR.toNanos() || watched.getAsBoolean()) {
      return;
    }
    Optional<RaftStatus> s = raft.status();
    if (s.isPresent() && s.get().isLeader()) {
      return;
    }
    try {
      timer.submit(this::poll).get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | java.util.concurrent.RejectedExecutionException e) {
      // The views as they are: the poller goes on, and says so if the leader does not answer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Someone reads this master's views: a request lately, or a browser following its events. */
  private boolean wanted() {
    return System.nanoTime() - asked.get() <= WANTED_FOR.toNanos() || watched.getAsBoolean();
  }

  private void poll() {
    try {
      pollOnce();
    } catch (RuntimeException e) {
      log.warn("asking the leader for attempt progress failed", e);
    }
  }

  private void pollOnce() {
    Optional<RaftStatus> s = raft.status();
    if (s.isPresent() && s.get().isLeader()) {
      progress.leading();
      lastAnswerNanos = System.nanoTime();
      return;
    }
    if (!wanted() || progress.monitor().jobs().stream().allMatch(j -> j.state().isFinal())) {
      lastAnswerNanos = System.nanoTime(); // nothing runs, or no one looks: nothing to ask
      return;
    }
    String leader = s.map(x -> Members.of(config, raft).masterId(x.leader())).orElse("");
    String address = leader.isEmpty() || leader.equals(config.id()) ? ""
        : board.httpAddress(leader).orElse("");
    String failure;
    if (address.isEmpty()) {
      failure = "no leader known";
    } else {
      failure = ask(leader, address);
      if (failure == null) {
        lastAnswerNanos = System.nanoTime();
        lastFailure = "";
        return;
      }
    }
    if (System.nanoTime() - lastAnswerNanos > STALE.toNanos()) {
      if (!failure.equals(lastFailure)) {
        log.warn("master {}: {}; its views show the book's progress", config.id(), failure);
        lastFailure = failure;
      }
      progress.leaderUnreachable(failure);
    }
  }

  /** Asks the leader; null when its answer is shown, else why not. */
  private String ask(String leader, String address) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(access.uri(address, PATH)).timeout(TIMEOUT)
          .GET();
      access.authorize(b);
      HttpResponse<String> r = client().send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return "leader " + leader + " at " + address + " answered " + r.statusCode();
      }
      JsonNode doc = JSON.readTree(r.body());
      Map<TaskAttemptId, Float> attempts = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("attempts").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        TaskAttemptId id = TaskAttemptId.parse(e.getKey());
        if (id != null) {
          attempts.put(id, (float) e.getValue().asDouble());
        }
      }
      progress.fromLeader(attempts);
      return null;
    } catch (java.io.IOException e) {
      return "leader " + leader + " at " + address + " did not answer (" + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private HttpClient client() {
    if (client == null) {
      client = access.clientBuilder().connectTimeout(TIMEOUT).build();
    }
    return client;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
