package dev.quern.worker.metrics;

import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.TaskSpec;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A worker process's metrics, served by its shuffle server at {@code GET /metrics}: what the
 * shuffle server served, what this worker's reduces fetched from others, the attempts it ran, and
 * the JVM. Counted where the thing happens, once per request, fetch or attempt (never per record).
 *
 * <pre>{@code
 * WorkerMetrics metrics = WorkerMetrics.withJvm();
 * ShuffleServer shuffle = ShuffleServer.start(host, 0, dataDir, false, metrics);
 * HttpShuffleSource source = new HttpShuffleSource(shuffle.address(), metrics);
 * }</pre>
 */
public final class WorkerMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("quern_shuffle_requests_total")
      .help("Requests the shuffle server answered, by HTTP status code.").labelNames("code")
      .withoutExemplars().register(registry);
  private final Counter servedBytes = Counter.builder().name("quern_shuffle_served_bytes_total")
      .help("Map output bytes the shuffle server sent (stored, i.e. compressed, bytes of whole "
          + "responses).").withoutExemplars().register(registry);
  private final Counter serveFailures = Counter.builder()
      .name("quern_shuffle_serve_failures_total")
      .help("Responses the shuffle server began and could not finish (the reader went away, or "
          + "the file could not be read).").withoutExemplars().register(registry);
  private final Counter fetchedBytes = Counter.builder().name("quern_shuffle_fetched_bytes_total")
      .help("Map output bytes this worker's reduces fetched over HTTP from other workers.")
      .withoutExemplars().register(registry);
  private final Counter fetchFailures = Counter.builder()
      .name("quern_shuffle_fetch_failures_total")
      .help("Fetches from other workers that failed: lost (the server has no such output: 400, "
          + "404, 410) or error (refused, other status, bad header, stalled or broken transfer).")
      .labelNames("reason").withoutExemplars().register(registry);
  private final Counter attemptsStarted = Counter.builder()
      .name("quern_worker_attempts_started_total")
      .help("Task attempts this worker started, by kind.").labelNames("kind")
      .withoutExemplars().register(registry);
  private final Gauge attemptsRunning = Gauge.builder().name("quern_worker_attempts_running")
      .help("Task attempts running on this worker now, by kind.").labelNames("kind")
      .withoutExemplars().register(registry);
  private final Counter attemptsEnded = Counter.builder()
      .name("quern_worker_attempts_ended_total")
      .help("Task attempts that ended on this worker, by kind, outcome (succeeded, failed, killed)"
          + " and reason (ok; error, map_output_lost, job_classes; interrupted, commit_denied, "
          + "no_free_slot).").labelNames("kind", "outcome", "reason")
      .withoutExemplars().register(registry);

  private final Counter executorsStarted = Counter.builder()
      .name("quern_worker_executors_started_total")
      .help("Executor JVMs this worker started (one per job, again after one ended under its "
          + "attempts).").withoutExemplars().register(registry);
  private final Gauge executorsRunning = Gauge.builder().name("quern_worker_executors_running")
      .help("Executor JVMs of this worker alive now.").withoutExemplars().register(registry);
  private final Counter executorsEnded = Counter.builder()
      .name("quern_worker_executors_ended_total")
      .help("Executor JVMs that ended, by reason: job_ended (stopped with its job), exit (it "
          + "exited by itself, e.g. System.exit), out_of_memory, signal (a crash or a kill "
          + "from outside), ended_by_worker (a killed attempt would not stop, or the worker "
          + "stopped).").labelNames("reason").withoutExemplars().register(registry);

  /** Shuffle and attempt metrics only (tests, or a server whose JVM reports elsewhere). */
  public WorkerMetrics() {
    for (String kind : new String[] {"map", "reduce"}) {
      attemptsStarted.labelValues(kind);
      attemptsRunning.labelValues(kind);
    }
    for (String r : new String[] {"job_ended", "exit", "out_of_memory", "signal",
        "ended_by_worker"}) {
      executorsEnded.labelValues(r);
    }
    fetchFailures.labelValues("lost");
    fetchFailures.labelValues("error");
  }

  /** The metrics of a worker process: these and the JVM's (heap, GC, threads, ...). */
  public static WorkerMetrics withJvm() {
    WorkerMetrics m = new WorkerMetrics();
    JvmMetrics.builder().register(m.registry);
    return m;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The shuffle server answered a request with {@code status}. */
  public void answered(int status) {
    requests.labelValues(Integer.toString(status)).inc();
  }

  /** The shuffle server finished sending {@code bytes} of one response body. */
  public void served(long bytes) {
    servedBytes.inc(bytes);
  }

  /** The shuffle server could not finish a response body. */
  public void serveFailed() {
    serveFailures.inc();
  }

  /** A fetch from another worker read {@code bytes} of its body (counted when it is closed). */
  public void fetched(long bytes) {
    fetchedBytes.inc(bytes);
  }

  /** A fetch from another worker failed; {@code lost}: the server does not have the output. */
  public void fetchFailed(boolean lost) {
    fetchFailures.labelValues(lost ? "lost" : "error").inc();
  }

  /** An attempt started on a slot thread. */
  public void attemptStarted(TaskSpec spec) {
    attemptsStarted.labelValues(kind(spec)).inc();
    attemptsRunning.labelValues(kind(spec)).inc();
  }

  /** An attempt that {@link #attemptStarted} counted ended (see the help for the values). */
  public void attemptEnded(TaskSpec spec, String outcome, String reason) {
    attemptsRunning.labelValues(kind(spec)).dec();
    refused(spec, outcome, reason);
  }

  /** An attempt the worker ended without starting it (no slot, or no job classes). */
  public void refused(TaskSpec spec, String outcome, String reason) {
    attemptsEnded.labelValues(kind(spec), outcome, reason).inc();
  }

  /** An executor JVM started. */
  public void executorStarted() {
    executorsStarted.inc();
    executorsRunning.inc();
  }

  /** An executor JVM that {@link #executorStarted} counted ended, for {@code reason}. */
  public void executorEnded(String reason) {
    executorsRunning.dec();
    executorsEnded.labelValues(reason).inc();
  }

  private static String kind(TaskSpec spec) {
    return spec instanceof MapTaskSpec ? "map" : "reduce";
  }
}
