package dev.quern.master.local;

import dev.quern.api.JobHandle;
import dev.quern.api.JobSpec;
import dev.quern.api.JobStatus;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.JobSubmitter;
import dev.quern.api.io.InputSplit;
import dev.quern.master.engine.BookSplit;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.ClusterMonitor;
import dev.quern.master.engine.JobJournal;
import dev.quern.master.engine.JobView;
import dev.quern.master.engine.MasterActor;
import dev.quern.master.engine.MasterCommand;
import dev.quern.master.engine.SubmitAnswer;
import dev.quern.master.engine.WorkerView;
import dev.quern.master.engine.LiveCluster;
import dev.quern.worker.actor.OutputLayout;
import dev.quern.worker.actor.WorkerActor;
import dev.quern.worker.actor.WorkerCommand;
import dev.quern.worker.actor.WorkerReport;
import dev.quern.worker.actor.WorkerSettings;
import dev.quern.worker.task.TaskRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master and N workers in this JVM: real actors, real task slots, the real commit protocol.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(2)) {
 *   JobStatus s = job.submit(cluster).awaitCompletion();
 * }
 * }</pre>
 */
public final class LocalCluster implements JobSubmitter, LiveCluster, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  private final LocalClusterOptions options;
  private final Path workDir;
  private final boolean ownsWorkDir;
  private final ActorSystem<Void> system;
  private final ClusterMonitor monitor = new ClusterMonitor();
  private final JobJournal journal = new JobJournal();
  private final JobClassLoaders loaders = new JobClassLoaders();
  private final ActorRef<MasterCommand> master;
  private final List<ActorRef<WorkerCommand>> workers = new ArrayList<>();

  private LocalCluster(LocalClusterOptions options, TaskRunner runner, Clock clock)
      throws IOException {
    this.options = options;
    this.ownsWorkDir = options.workDir() == null;
    this.workDir = ownsWorkDir ? Files.createTempDirectory("quern-local-")
        : Files.createDirectories(options.workDir());
    ClassLoader loader = actorLoader();
    this.system = ActorSystem.create(Behaviors.empty(), "quern-local-" + CLUSTERS.incrementAndGet(),
        BootstrapSetup.create(ConfigFactory.parseString("""
            pekko.loglevel = "WARNING"
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            # Only typed's own extensions load as the system starts. The defaults also load the
            # serialization extension, which builds every serializer the class path's Pekko jars
            # configure (remote, cluster, distributed data: some hundred lambdas spun), and
            # the streams materializer; actors in one JVM use neither, and either still loads
            # on first use.
            pekko.library-extensions = [
              "org.apache.pekko.actor.typed.internal.adapter.ActorSystemAdapter$LoadTypedExtensions"
            ]
            """).withFallback(ConfigFactory.load(loader))).withClassloader(loader));
    this.master = system.systemActorOf(
        MasterActor.create(new MasterActor.Settings(workDir, clock, journal), monitor),
        "master", Props.empty());
    ActorRef<WorkerReport> registrar = AskPattern.<MasterCommand, ActorRef<WorkerReport>>ask(
        master, MasterCommand.GetReportPort::new, ASK_TIMEOUT, system.scheduler()).toCompletableFuture().join();
    for (int i = 0; i < options.workers(); i++) {
      WorkerSettings ws = new WorkerSettings("worker-" + i, "localhost", options.slotsPerWorker(),
          runner, loaders, Duration.ofMinutes(5));
      workers.add(system.systemActorOf(WorkerActor.create(ws, registrar), "worker-" + i,
          Props.empty()));
    }
  }

  /**
   * The loader Pekko would pick (the thread's context loader, else this class's), but reading
   * only Pekko's own jar manifests at the start ({@link PekkoManifests}: a signature check of
   * unrelated jars was a quarter of a small job's CPU). The configuration is read with it too,
   * so the config library's cache (one loader at a time) parses the reference files once.
   */
  private static ClassLoader actorLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return PekkoManifests.over(context != null ? context : LocalCluster.class.getClassLoader());
  }

  /** Starts a cluster with {@code workers} one-slot workers and the default options otherwise. */
  public static LocalCluster start(int workers) {
    return start(LocalClusterOptions.defaults().withWorkers(workers));
  }

  public static LocalCluster start(LocalClusterOptions options) {
    return start(options, Clock.systemUTC());
  }

  /** As {@link #start(LocalClusterOptions)}, with the master's clock (tests drive timeouts). */
  static LocalCluster start(LocalClusterOptions options, Clock clock) {
    TaskRunner runner = options.runner() != null ? options.runner() : DefaultRunner.create();
    if (options.attemptLogs() != null) {
      // Each attempt's output to its files, as a worker's in-process slots keep it, and still to
      // the console as local mode always printed it.
      dev.quern.worker.logs.CapturingTaskRunner.install(true);
      runner = new dev.quern.worker.logs.CapturingTaskRunner(runner, options.attemptLogs());
    }
    LocalCluster c;
    try {
      c = new LocalCluster(options, runner, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local cluster's work dir", e);
    }
    try {
      if (!c.monitor.awaitWorkers(w -> w.size() == options.workers(), ASK_TIMEOUT)) {
        throw new IllegalStateException("workers did not register within " + ASK_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.close();
      throw new IllegalStateException("interrupted while starting the local cluster", e);
    }
    return c;
  }

  /**
   * Checks the job (jar, classes, input, output), then has the master accept it. Throws
   * {@link JobSubmissionException} with one line naming what is wrong; nothing changes then.
   * Submissions are serialized, so two jobs racing for one output directory cannot both pass
   * the output check (the first creates it when accepted). The job's id comes from the master's
   * book, as in cluster mode.
   */
  @Override
  public synchronized JobHandle submit(JobSpec spec) {
    JobSpec merged = JobKeys.applyReduceTasks(withDefaults(spec));
    ClassLoader loader = JobClassLoaders.create(merged);
    List<InputSplit> splits;
    List<BookSplit> planned;
    try {
      splits = SubmissionCheck.check(merged, loader);
      planned = BookSplit.ofAll(splits, loader);
    } catch (RuntimeException e) {
      JobClassLoaders.discard(loader);
      throw e instanceof JobSubmissionException j ? j
          : new JobSubmissionException("job " + spec.name() + " was refused: " + e, e);
    }
    SubmitAnswer answer = this.<SubmitAnswer>ask(replyTo -> new MasterCommand.SubmitJob(merged,
        splits, planned, jobId -> loaders.register(jobId, loader), replyTo));
    if (answer instanceof SubmitAnswer.Refused r) {
      JobClassLoaders.discard(loader);
      throw new JobSubmissionException("job " + spec.name() + " was refused: " + r.reason());
    }
    String id = ((SubmitAnswer.Accepted) answer).view().id();
    log.info("accepted {} ({}): {} map task(s), {} reduce task(s)", id, spec.name(),
        splits.size(), merged.reduceTasks());
    return new LocalJobHandle(id, monitor, this);
  }

  private JobSpec withDefaults(JobSpec spec) {
    if (options.defaultConfig().isEmpty()) {
      return spec;
    }
    Map<String, String> config = new HashMap<>(options.defaultConfig());
    config.putAll(spec.config());
    return new JobSpec(spec.name(), spec.user(), spec.jar(), spec.inputPaths(),
        spec.outputPath(), spec.inputFormat(), spec.outputFormat(), spec.mapper(),
        spec.combiner(), spec.reducer(), spec.partitioner(), spec.reduceTasks(),
        spec.mapOutputKeyClass(), spec.mapOutputValueClass(), spec.outputKeyClass(),
        spec.outputValueClass(), spec.sortComparator(), spec.groupingComparator(), config);
  }

  /** The handle of a submitted job. */
  public Optional<JobHandle> handle(String jobId) {
    return monitor.job(jobId).map(v -> new LocalJobHandle(jobId, monitor, this));
  }

  /** Every job's status, in submission order. */
  public List<JobStatus> jobs() {
    return monitor.jobs().stream().map(JobView::toStatus).toList();
  }

  public Optional<JobStatus> status(String jobId) {
    return monitor.job(jobId).map(JobView::toStatus);
  }

  /** Every job's full view (tasks and attempts), in submission order. */
  @Override
  public List<JobView> jobViews() {
    return monitor.jobs();
  }

  @Override
  public Optional<JobView> jobView(String jobId) {
    return monitor.job(jobId);
  }

  /** The live workers. */
  @Override
  public List<WorkerView> workers() {
    return monitor.workers();
  }

  /**
   * Calls {@code listener} with every change, on the master's thread: it must return quickly and
   * must not wait on the cluster (submit, kill, stopWorker), which needs that thread. Closing the
   * returned handle removes it.
   */
  @Override
  public AutoCloseable addListener(Consumer<ClusterEvent> listener) {
    return monitor.addListener(listener);
  }

  /** Kills a running job at the driver's request (its {@code JobHandle.kill()}). */
  public boolean kill(String jobId) {
    return kill(jobId, "killed by the driver (JobHandle.kill)");
  }

  /**
   * Kills a running job; false when it had already ended (or is committing). The job's failure
   * text becomes {@code who} and the time, e.g. {@code killed by the driver (JobHandle.kill) at
   * 2026-12-02T07:01:02Z}.
   */
  @Override
  public boolean kill(String jobId, String who) {
    String reason = who + " at " + java.time.Instant.now().truncatedTo(
        java.time.temporal.ChronoUnit.SECONDS);
    return this.<Boolean>ask(replyTo -> new MasterCommand.KillJob(jobId, reason, replyTo));
  }

  /** Stops worker {@code index}'s actor; returns once the master has seen it go. */
  public void stopWorker(int index) {
    if (index < 0 || index >= workers.size()) {
      throw new IllegalArgumentException("no worker " + index + ": the cluster started "
          + workers.size() + " (0 to " + (workers.size() - 1) + ")");
    }
    String id = "worker-" + index;
    workers.get(index).tell(new WorkerCommand.Stop());
    try {
      if (!monitor.awaitWorkers(ws -> ws.stream().noneMatch(w -> w.workerId().equals(id)),
          ASK_TIMEOUT)) {
        throw new IllegalStateException("worker " + id + " did not stop within " + ASK_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + id, e);
    }
  }

  /** The events the master applied, in order; replaying them rebuilds its job book. */
  public JobJournal journal() {
    return journal;
  }

  /** Number of live workers, as the master sees them. */
  public int workerCount() {
    return monitor.workers().size();
  }

  /** The scratch directory (map outputs). */
  public Path workDir() {
    return workDir;
  }

  @Override
  public void close() {
    monitor.closeAll("the local cluster was closed before the job ended");
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("the local cluster's actor system did not stop cleanly", e);
    }
    loaders.close();
    if (ownsWorkDir) {
      try {
        OutputLayout.deleteTree(workDir);
      } catch (IOException e) {
        log.warn("cannot delete the work dir {}", workDir, e);
      }
    }
  }

  private <T> T ask(java.util.function.Function<ActorRef<T>, MasterCommand> message) {
    try {
      return AskPattern.ask(master, message::apply, ASK_TIMEOUT, system.scheduler())
          .toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the master", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the master did not answer", e.getCause());
    }
  }
}
