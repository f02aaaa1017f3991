package dev.quern.worker.executor;

import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's executor JVMs: at most one live per job, started for the job's first attempt here
 * and again for the next attempt after one ended (an attempt took it down), ended when the job
 * ends or the worker stops. Thread-safe.
 *
 * <p>Warm spare ({@link ExecutorSettings#warmSpare()}): the pool keeps one executor JVM started
 * ahead of any job, with the worker's class path and the default heap, which has done its JVM and
 * class start-up by the time a job needs one. A job that needs a JVM of the default heap binds it
 * ({@link ExecutorProcess#bind}: the job's jar is then read through a class loader inside it)
 * instead of waiting for a new JVM; a job of another heap starts its own as before. A bound spare
 * is the job's like any other while the job runs (never given to another job).
 *
 * <p>Reuse ({@link ExecutorSettings#reuseJobs} above 1): when a job ends, its executor, if it is
 * of the default heap, has its class path the worker's alone, had no attempt killed and none
 * running, and has served fewer jobs than the limit, is asked to let the job go ({@link
 * ExecutorProcess#release}); the executor waits for the job's attempt threads, checks what the
 * job left ({@link JobLeftovers}: threads, system properties, JVM-wide hooks; an attempt that
 * failed), closes the job's class loader and answers. Clean, it becomes the spare (its data path
 * compiled already; a fresh spare waiting is stopped in its favour) for the next job of the same
 * user; else it ends as before. The next spare starts
 * when the job that took the last one ends, or when the pool next finds it has none and no job is
 * running: not at once, where its start would take CPU from the job that just began.
 */
public final class ExecutorPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExecutorPool.class);

  private final ExecutorSettings settings;
  private final Map<String, ExecutorProcess> byJob = new HashMap<>();
  /** Executors asked to let their job go, whose answer has not come. */
  private final java.util.Set<ExecutorProcess> releasing = new java.util.HashSet<>();
  /** Executors replaced while a killed attempt still ran in them: they go with their job. */
  private final Map<String, List<ExecutorProcess>> replaced = new HashMap<>();
  private final Map<String, Integer> starts = new HashMap<>();
  private int started;
  private boolean closed;
  /** The unbound spare, or null. */
  private ExecutorProcess spare;
  private int spares;

  private final dev.quern.worker.metrics.WorkerMetrics metrics;

  /** Counting into metrics of its own (tests). */
  public ExecutorPool(ExecutorSettings settings) {
    this(settings, new dev.quern.worker.metrics.WorkerMetrics());
  }

  /** Counting executors started and ended into {@code metrics} (the worker's /metrics). */
  public ExecutorPool(ExecutorSettings settings, dev.quern.worker.metrics.WorkerMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    replenish();
  }

  public ExecutorSettings settings() {
    return settings;
  }

  /** One executor as the worker sees it (for its page and logs). */
  public record View(String jobId, long pid, String memory, long startedMillis, int running,
      int generation) {}

  /**
   * The live executor of {@code spec}'s job, started if there is none: with the job's jar (the
   * one {@code jobLoader} reads, if it reads one) after the worker's class path.
   */
  synchronized ExecutorProcess forJob(TaskSpec spec, ClassLoader jobLoader) throws IOException {
    if (closed) {
      throw new IOException("the worker is stopping");
    }
    String job = spec.id().jobId();
    ExecutorProcess p = byJob.get(job);
    if (p != null && p.takesAttempts() && !p.runsAnotherAttemptOf(spec.id())) {
      return p;
    }
    if (p != null && p.alive()) {
      replaced.computeIfAbsent(job, j -> new ArrayList<>()).add(p);
    }
    String memory = ExecutorKeys.checkMemory(ExecutorKeys.MEMORY,
        spec.job().configuration().get(ExecutorKeys.MEMORY, settings.defaultMemory()));
    int n = starts.merge(job, 1, Integer::sum);
    if (!job.matches("[A-Za-z0-9._-]+")) {
      throw new IOException("not a job id: " + job);
    }
    Path stderr = settings.dir().resolve(job).resolve("executor-" + n + ".stderr");
    Path jar = jarOf(jobLoader);
    ExecutorProcess s = spare;
    spare = null;
    String user = spec.job().user();
    if (s != null && memory.equals(s.memory()) && s.mayServe(user) && s.bind(settings.workerId(), job, jar, stderr,
        settings.shuffleAccess().executorEnvironment(job))) {
      p = s;
    } else {
      if (s != null) {
        spare = s.alive() && s.spare() ? s : null; // another heap: it waits for the next job
      }
      p = ExecutorProcess.start(settings, job, jar, memory, stderr, metrics);
    }
    p.user(user);
    byJob.put(job, p);
    started++;
    return p;
  }

  /** Where spares' stderr goes until they are bound: not a job id (those have no '+'). */
  static final String SPARES_DIR = "+spares";

  /**
   * Starts a spare if the settings ask for one, there is none, and no job has a live executor
   * here (a spare's start would compete with it for CPU; the job's end calls this again).
   */
  private synchronized void replenish() {
    if (closed || !settings.warmSpare() || (spare != null && spare.alive())
        || !releasing.isEmpty()) { // a released one may become the spare
      return;
    }
    for (ExecutorProcess p : byJob.values()) {
      if (p.alive()) {
        return;
      }
    }
    // Unique across the worker's restarts on one data directory (files of a killed one remain).
    Path stderr = settings.dir().resolve(SPARES_DIR)
        .resolve("spare-" + System.currentTimeMillis() + "-" + ++spares + ".stderr");
    try {
      spare = ExecutorProcess.startSpare(settings, stderr, metrics);
    } catch (IOException | RuntimeException e) {
      spare = null; // the next job starts its own JVM, as without spares
      log.warn("worker {}: could not start a spare executor JVM: {}", settings.workerId(),
          e.toString());
    }
  }

  private synchronized Path spareStderr() {
    return spare == null ? null : spare.stderr();
  }

  /** The spare's pid, or -1 if there is none now (tests, the worker's page). */
  public synchronized long sparePid() {
    return spare != null && spare.alive() ? spare.pid() : -1;
  }

  /** The kill of {@code attempt} is decided: its executor takes no new attempt until it ends. */
  void killing(dev.quern.worker.task.TaskAttemptId attempt) {
    ExecutorProcess p;
    synchronized (this) {
      p = byJob.get(attempt.jobId());
    }
    if (p != null && p.runs(attempt)) {
      p.stopping(attempt);
    }
  }

  /** The job's jar that {@code loader} (a worker's job loader) reads, or null. */
  static Path jarOf(ClassLoader loader) throws IOException {
    if (loader instanceof URLClassLoader u && u.getName() != null
        && u.getName().startsWith("job:")) {
      URL[] urls = u.getURLs();
      if (urls.length == 1) {
        try {
          return Path.of(urls[0].toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
          throw new IOException("job jar " + urls[0] + " is not a file", e);
        }
      }
    }
    return null;
  }

  /**
   * The job ended: its executors go, but for one that may serve the next job ({@link
   * #mayReuse}), which is asked to let the job go and, if it ended cleanly, becomes the spare.
   */
  public void jobEnded(String jobId) {
    List<ExecutorProcess> all = new ArrayList<>();
    ExecutorProcess keep = null;
    synchronized (this) {
      ExecutorProcess p = byJob.remove(jobId);
      if (p != null && mayReuse(p)) {
        keep = p;
        releasing.add(p);
      } else if (p != null) {
        all.add(p);
      }
      all.addAll(replaced.getOrDefault(jobId, List.of()));
      replaced.remove(jobId);
      starts.remove(jobId);
    }
    for (ExecutorProcess p : all) {
      log.info("worker {}: job {} ended; stopping its executor JVM {}", settings.workerId(),
          jobId, p.pid());
      p.shutdown();
    }
    if (keep == null) {
      java.util.concurrent.CompletableFuture.runAsync(this::afterJob);
      return;
    }
    ExecutorProcess kept = keep;
    kept.release().completeOnTimeout("it did not answer the release within "
        + RELEASE_WAIT.toSeconds() + " s", RELEASE_WAIT.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((why, err) -> {
          adopt(kept, jobId, err != null ? err.toString() : why);
          afterJob();
        });
  }

  private void afterJob() {
    replenish();
    removeOldLogs();
  }

  /** How long a released executor may take to answer (its attempt threads' end included). */
  static final java.time.Duration RELEASE_WAIT = java.time.Duration.ofSeconds(10);

  /**
   * Whether {@code p}, whose job just ended, may serve another: reuse is on and it has served
   * fewer jobs than {@link ExecutorSettings#reuseJobs}, it is of the default heap (the spare's),
   * and nothing the worker saw rules it out ({@link ExecutorProcess#mayServeAgain}).
   */
  private boolean mayReuse(ExecutorProcess p) {
    return !closed && p.jobs() < settings.reuseJobs()
        && p.memory().equals(settings.defaultMemory()) && p.mayServeAgain();
  }

  /** The answer of a release: {@code why} null, {@code p} becomes the spare; else it goes. */
  private void adopt(ExecutorProcess p, String jobId, String why) {
    ExecutorProcess old = null;
    boolean kept = false;
    synchronized (this) {
      releasing.remove(p);
      if (why == null && !closed && p.alive()) {
        kept = true;
        p.unbind();
        old = spare;
        spare = p;
        log.info("worker {}: job {} ended; its executor JVM {} ended it cleanly and waits for "
            + "the next job (it served {} of at most {})", settings.workerId(), jobId, p.pid(),
            p.jobs(), settings.reuseJobs());
      }
    }
    if (!kept) {
      log.info("worker {}: job {} ended; stopping its executor JVM {}: {}", settings.workerId(),
          jobId, p.pid(), why == null ? "the worker is stopping" : why);
      p.shutdown();
    } else if (old != null && old != p) {
      // The reused one has compiled the data path; a fresh spare has not.
      log.info("worker {}: stopping spare executor JVM {}: JVM {} waits in its place",
          settings.workerId(), old.pid(), p.pid());
      old.shutdown();
      deleteSpareStderr(old);
    }
  }

  /** How long an executor's stderr file is kept after it was last written. */
  static final java.time.Duration LOGS_KEPT = java.time.Duration.ofDays(1);

  /** Removes the executors' stderr (and crash) files older than {@link #LOGS_KEPT}. */
  void removeOldLogs() {
    long before = System.currentTimeMillis() - LOGS_KEPT.toMillis();
    try (java.util.stream.Stream<Path> jobs = java.nio.file.Files.list(settings.dir())) {
      for (Path job : jobs.toList()) {
        Path keep = spareStderr(); // the live spare's: old when it has waited long
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(job)) {
          for (Path f : files.toList()) {
            if (!f.equals(keep)
                && java.nio.file.Files.getLastModifiedTime(f).toMillis() < before) {
              java.nio.file.Files.deleteIfExists(f);
            }
          }
        }
        try {
          java.nio.file.Files.deleteIfExists(job); // only once empty
        } catch (java.nio.file.DirectoryNotEmptyException e) {
          // newer files remain
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("worker {}: cleaning {}: {}", settings.workerId(), settings.dir(), e.toString());
    }
  }

  /** The live executors now. */
  public synchronized List<View> views() {
    List<View> v = new ArrayList<>();
    byJob.forEach((job, p) -> {
      if (p.alive()) {
        v.add(new View(job, p.pid(), p.memory(), p.startedMillis(), p.running(),
            starts.getOrDefault(job, 1)));
      }
    });
    return v;
  }

  /** How many executor JVMs this pool started. */
  public synchronized int started() {
    return started;
  }

  @Override
  public void close() {
    List<ExecutorProcess> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(byJob.values());
      replaced.values().forEach(all::addAll);
      byJob.clear();
      replaced.clear();
      if (spare != null) {
        all.add(spare);
        spare = null;
      }
      all.addAll(releasing);
      releasing.clear();
    }
    all.forEach(p -> p.destroy("the worker stopped"));
    all.forEach(ExecutorPool::deleteSpareStderr);
  }

  /** Deletes the stderr of a spare never bound: nothing in it concerns a job. */
  private static void deleteSpareStderr(ExecutorProcess p) {
    if (p.spare() && p.jobs() == 0) {
      try {
        java.nio.file.Files.deleteIfExists(p.stderr());
      } catch (IOException e) {
        // removeOldLogs takes it later
      }
    }
  }
}
