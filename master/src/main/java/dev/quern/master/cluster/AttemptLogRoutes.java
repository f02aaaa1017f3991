package dev.quern.master.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.LiveCluster;
import dev.quern.master.engine.TaskView;
import dev.quern.master.http.HistorySource;
import dev.quern.master.http.HistoryStore;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.ErrorDoc;
import dev.quern.master.http.json.TaskDoc;
import dev.quern.raft.RaftStatus;
import dev.quern.raft.node.RaftMonitor;
import dev.quern.worker.cluster.ClusterWire;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code GET /api/v1/jobs/{job}/attempts/{attempt}/logs/{stream}?offset=&length=}: a task
 * attempt's {@code stdout}, {@code stderr} or {@code log}, fetched from the worker that ran it.
 * {@code attempt} is the task and attempt number joined by {@code _}, e.g. {@code m-00002_1}.
 * The leader answers (another master redirects there, 307): the book names the worker, and the
 * leader asks that worker's agent over the cluster wire (Artery, TLS when secured: no new port)
 * in chunks of at most 128 KiB until it has {@code length} bytes (default 128 KiB, at most 1
 * MiB) or the end. The answer is the bytes as {@code text/plain}, with headers {@code
 * X-Quern-Log-Size} (the file's size now: a running attempt's grows), {@code
 * X-Quern-Log-Offset} and {@code X-Quern-Worker}. Errors, as {@code {"error": "..."}}: 400 a
 * name that is not a job, an attempt or a stream, or a bad range; 404 no such job or attempt,
 * or the worker has no logs of it; 410 the logs expired, or the worker that ran it is gone; 503
 * a leader elected lately has not heard from that worker yet; 504 the worker did not answer.
 * Every name is checked here and again on the worker, so no request reaches outside its logs
 * directory.
 */
final class AttemptLogRoutes {
  static final String PATH = "/api/v1/jobs/{job}/attempts/{attempt}/logs/{stream}";
  private static final int WIRE_CHUNK = 128 * 1024;
  private static final Duration ASK = Duration.ofSeconds(10);
  private static final Pattern JOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final Pattern ATTEMPT = Pattern.compile("([mr]-[0-9]{1,9})_([0-9]{1,9})");
  private static final List<String> STREAMS = List.of("stdout", "stderr", "log");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RaftMonitor monitor;
  private final ClusterBoard board;
  private final LiveCluster jobs;
  private final HistorySource history;
  private final BiConsumer<Context, String> redirect;
  private final Duration workerTimeout;

  private AttemptLogRoutes(RaftMonitor monitor, ClusterBoard board, LiveCluster jobs,
      HistoryStore history, BiConsumer<Context, String> redirect, Duration workerTimeout) {
    this.workerTimeout = workerTimeout;
    this.monitor = monitor;
    this.board = board;
    this.jobs = jobs;
    this.history = history == null ? null : new HistorySource(history);
    this.redirect = redirect;
  }

  /**
   * @param history the ended jobs retired from the book (null: none)
   * @param redirect answers 307 to the leader (or 503) for a path
   * @param workerTimeout the masters' worker timeout: for twice that after a leader took over, a
   *     worker it has not heard from yet is answered 503 (try again), not 410 (gone)
   */
  static void register(RoutesConfig routes, RaftMonitor monitor, ClusterBoard board,
      LiveCluster jobs, HistoryStore history, BiConsumer<Context, String> redirect,
      Duration workerTimeout) {
    AttemptLogRoutes r =
        new AttemptLogRoutes(monitor, board, jobs, history, redirect, workerTimeout);
    routes.get(PATH, r::logs);
  }

  private void logs(Context ctx) {
    String job = ctx.pathParam("job");
    String attempt = ctx.pathParam("attempt");
    String stream = ctx.pathParam("stream");
    if (!JOB.matcher(job).matches()) {
      error(ctx, 400, "not a job id: '" + job + "'");
      return;
    }
    var m = ATTEMPT.matcher(attempt);
    if (!m.matches()) {
      error(ctx, 400, "not an attempt: '" + attempt + "' (the task and the attempt number, "
          + "e.g. m-00002_1)");
      return;
    }
    if (!STREAMS.contains(stream)) {
      error(ctx, 400, "not a log stream: '" + stream + "' (stdout, stderr or log)");
      return;
    }
    dev.quern.master.http.LogRange range;
    try {
      range = dev.quern.master.http.LogRange.parse(ctx.queryParam("offset"),
          ctx.queryParam("length"));
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    long offset = range.offset();
    int length = range.length();
    if (!monitor.status().map(RaftStatus::isLeader).orElse(false)) {
      String q = ctx.queryString();
      redirect.accept(ctx, ctx.path() + (q == null || q.isEmpty() ? "" : "?" + q));
      return;
    }
    String id = job + "/" + m.group(1) + "/" + m.group(2);
    Optional<String> ran = workerOf(job, id, ctx);
    if (ran.isEmpty()) {
      return;
    }
    String workerId = ran.get();
    LiveWorker w = board.workers().workers().stream().filter(x -> x.id().equals(workerId))
        .findFirst().orElse(null);
    ActorSystem<?> system = board.system();
    if ((w == null || w.ref() == null || system == null)
        && System.nanoTime() - board.termSinceNanos() < 2 * workerTimeout.toNanos()) {
      // Elected a moment ago: the worker registers with its next heartbeat. 503: clients retry.
      error(ctx, 503, "this leader took over lately and has not heard from worker " + workerId
          + ", which ran attempt " + id + ", yet: try again");
      return;
    }
    if (w == null || w.ref() == null || system == null) {
      error(ctx, 410, "worker " + workerId + ", which ran attempt " + id + ", is gone (the "
          + "leader has no heartbeat from it): its logs stay on its disk until it is back");
      return;
    }
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long size = 0;
    long at = offset;
    while (true) {
      int want = Math.min(WIRE_CHUNK, length - got.size());
      ClusterWire.LogChunk c;
      try {
        long from = at;
        c = (ClusterWire.LogChunk) AskPattern.<ClusterWire.ToWorker, ClusterWire.ToMaster>ask(
                w.ref(), replyTo -> new ClusterWire.FetchLogs(job, attempt, stream, from, want,
                    replyTo), ASK, system.scheduler())
            .toCompletableFuture().get(ASK.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        error(ctx, 504, "worker " + workerId + " did not answer for the logs of attempt " + id
            + " within " + ASK.toSeconds() + " s");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error(ctx, 503, "interrupted");
        return;
      }
      switch (c.status()) {
        case "OK" -> {
        }
        case "NOT_FOUND" -> {
          error(ctx, 404, c.message());
          return;
        }
        case "EXPIRED" -> {
          error(ctx, 410, c.message());
          return;
        }
        case "BAD_REQUEST" -> {
          error(ctx, 400, c.message());
          return;
        }
        default -> {
          error(ctx, 502, c.message());
          return;
        }
      }
      size = c.size();
      got.write(c.bytes(), 0, c.bytes().length);
      at += c.bytes().length;
      if (c.bytes().length < want || want == 0 || got.size() >= length) {
        break;
      }
    }
    ctx.status(200).contentType("text/plain; charset=utf-8")
        .header("X-Quern-Log-Size", Long.toString(size))
        .header("X-Quern-Log-Offset", Long.toString(offset))
        .header("X-Quern-Worker", workerId)
        .result(got.toByteArray());
  }

  /** The worker that ran attempt {@code id} of {@code job}; else answers 404 and is empty. */
  private Optional<String> workerOf(String job, String id, Context ctx) {
    Optional<JobView> view = jobs.jobView(job);
    if (view.isPresent()) {
      for (List<TaskView> tasks : List.of(view.get().maps(), view.get().reduces())) {
        for (TaskView t : tasks) {
          for (AttemptView a : t.attempts()) {
            if (a.id().equals(id)) {
              return found(a.workerId(), id, ctx);
            }
          }
        }
      }
      error(ctx, 404, "job " + job + " has no attempt " + id.substring(job.length() + 1));
      return Optional.empty();
    }
    Optional<List<TaskDoc>> retired = history == null ? Optional.empty() : history.tasks(job);
    if (retired.isPresent()) {
      for (TaskDoc t : retired.get()) {
        for (AttemptDoc a : t.attempts()) {
          if (a.id().equals(id)) {
            return found(a.worker(), id, ctx);
          }
        }
      }
      error(ctx, 404, "job " + job + " has no attempt " + id.substring(job.length() + 1));
      return Optional.empty();
    }
    error(ctx, 404, "no job " + job);
    return Optional.empty();
  }

  private Optional<String> found(String worker, String id, Context ctx) {
    if (worker == null || worker.isEmpty()) {
      error(ctx, 404, "attempt " + id + " has not started on a worker");
      return Optional.empty();
    }
    return Optional.of(worker);
  }

  private static void error(Context ctx, int status, String message) {
    try {
      ctx.status(status).contentType("application/json")
          .result(JSON.writeValueAsString(new ErrorDoc(message)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
