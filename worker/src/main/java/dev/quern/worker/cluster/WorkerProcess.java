package dev.quern.worker.cluster;

import com.typesafe.config.Config;
import dev.quern.worker.actor.WorkerSettings;
import dev.quern.worker.executor.ExecutorConfig;
import dev.quern.worker.executor.ExecutorPool;
import dev.quern.worker.executor.ExecutorSettings;
import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.CapturingTaskRunner;
import dev.quern.worker.logs.LogsConfig;
import dev.quern.worker.executor.ExecutorTaskRunner;
import dev.quern.worker.metrics.WorkerMetrics;
import dev.quern.worker.runner.PipelineTaskRunner;
import dev.quern.worker.shuffle.http.HttpShuffleSource;
import dev.quern.worker.shuffle.http.ShuffleAccess;
import dev.quern.worker.shuffle.http.ShuffleServer;
import dev.quern.worker.task.TaskRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker process: its actor system ({@value #SYSTEM}) on Artery and the
 * {@link WorkerAgent} that keeps it registered with the leader.
 */
public final class WorkerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

  public static final String SYSTEM = "quern-worker";
  /** How long an attempt waits for the leader's answer to its commit question. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

  private final WorkerProcessConfig config;
  private final ActorSystem<Void> system;
  private final String address;
  private final AtomicReference<WorkerAgent.Link> link;

  private WorkerProcess(WorkerProcessConfig config, ActorSystem<Void> system, String address,
      AtomicReference<WorkerAgent.Link> link) {
    this.config = config;
    this.system = system;
    this.address = address;
    this.link = link;
  }

  /**
   * Creates the data directory, binds Artery and starts looking for the leader.
   *
   * @param user the whole user configuration (its {@code pekko} section tunes the actor system)
   */
  public static WorkerProcess start(WorkerProcessConfig config, Config user) throws IOException {
    Files.createDirectories(config.data());
    AtomicReference<WorkerAgent.Link> link = new AtomicReference<>();
    if (config.allowPrivateBind()) {
      log.warn(Loopback.PRIVATE_WARNING);
    }
    JarLoaders loaders = new JarLoaders(new JarCache(config.data().resolve("jars"),
        config.masterHttp(), config.allowPrivateBind(),
        dev.quern.worker.security.ClusterAccess.of(config.security())));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM,
        ArteryConfig.of(config.host(), config.port(), user, config.security()));
    ShuffleServer shuffle = null;
    try {
      int port = system.address().getPort().orElseThrow();
      String address = new Loopback.HostPort(config.host(), port).toString();
      // Map outputs are served from the data directory; reduces fetch over HTTP, or read in
      // place what this worker's own maps wrote.
      // The shuffle server also serves the process's metrics (GET /metrics).
      WorkerMetrics metrics = WorkerMetrics.withJvm();
      shuffle = ShuffleServer.start(config.host(), 0, config.data(),
          config.allowPrivateBind(), metrics, config.security());
      // Secured: HTTPS trusting the cluster CA, each fetch signed with its job's key.
      ShuffleAccess shuffleAccess = ShuffleAccess.of(config.security());
      HttpShuffleSource source = new HttpShuffleSource(shuffle.address(), metrics,
          shuffleAccess);
      Config section =
          user.withFallback(WorkerProcessConfig.defaults()).getConfig(WorkerProcessConfig.SECTION);
      ExecutorConfig isolation = ExecutorConfig.from(section);
      // Each attempt's stdout, stderr and log lines (quern logs), kept by its executor.
      AttemptLogs logs = LogsConfig.from(section, config.data().resolve(WorkerAgent.LOGS));
      // Executors run the data path in a JVM per job; in-process runs it on the slot threads.
      ExecutorPool executors = isolation.inProcess() ? null : new ExecutorPool(
          new ExecutorSettings(config.id(), ExecutorSettings.thisJava(),
              System.getProperty("java.class.path"), executorOptions(isolation, logs),
              isolation.defaultMemory(), isolation.killGrace(),
              config.data().resolve("executors"), shuffle.address(), config.slots(),
              shuffleAccess, isolation.warmSpare(), isolation.reuseJobs()), metrics);
      if (executors == null) {
        CapturingTaskRunner.install(); // in-process attempts' output, by thread, in this JVM
      }
      TaskRunner runner = shuffle.registering(executors == null
          ? new CapturingTaskRunner(new PipelineTaskRunner(shuffle.address(), source), logs)
          : new ExecutorTaskRunner(executors));
      WorkerSettings worker = new WorkerSettings(config.id(), shuffle.address(), config.slots(),
          runner, loaders, COMMIT_TIMEOUT, metrics);
      system.systemActorOf(WorkerAgent.create(new WorkerAgent.Settings(config.id(), address,
          config.slots(), config.masters(), config.heartbeatInterval(), config.leaderTimeout()),
          link, new WorkerAgent.Runs(worker, config.data(), executors, logs)), "agent",
          org.apache.pekko.actor.typed.Props.empty());
      ShuffleServer served = shuffle;
      system.getWhenTerminated().whenComplete((done, err) -> {
        if (executors != null) {
          executors.close();
        }
        served.close();
        source.close();
        loaders.close();
      });
      log.info("worker {} on Artery {} ({}) with {} slots, shuffle on {} (metrics {}), data in {}, "
          + "tasks {}", config.id(), address, ArteryConfig.describe(config.security()),
          config.slots(), shuffle.address(), shuffle.metricsUrl(), config.data(),
          executors == null ? "in-process"
              : "in executor JVMs (default heap " + isolation.defaultMemory() + ")");
      return new WorkerProcess(config, system, address, link);
    } catch (IOException | RuntimeException e) {
      if (shuffle != null) {
        shuffle.close();
      }
      system.terminate();
      throw e;
    }
  }

  /** The worker's class-data sharing, then the configured executor options (which win). */
  private static java.util.List<String> executorOptions(ExecutorConfig isolation,
      AttemptLogs logs) {
    java.util.List<String> all = new java.util.ArrayList<>(ExecutorSettings.inheritedSharing());
    all.addAll(logs.executorOptions()); // where each attempt's output goes
    all.addAll(isolation.javaOptions());
    return all;
  }

  /** The Artery address the worker bound, {@code host:port}. */
  public String address() {
    return address;
  }

  public WorkerProcessConfig config() {
    return config;
  }

  /** What the worker knows of the leader now. */
  public WorkerAgent.Link link() {
    return link.get();
  }

  /** Blocks until the actor system ends. */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("worker {}: actor system did not stop within {}", config.id(), Duration.ofSeconds(10));
    }
  }
}
