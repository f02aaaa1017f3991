package dev.quern.worker.cluster;

import dev.quern.worker.actor.JobLoaderSource;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's job class loaders: one per job, parent-first over the worker's own classes
 * so {@code dev.quern.api} is shared. The job's jar is either a stored jar ({@code sha256:HEX},
 * fetched from the masters into the {@link JarCache} and checked against its hash) or a path every
 * process of the cluster can read. A job without a jar uses the worker's own classes.
 * {@link #jobEnded} closes a job's loader (its jar file stays in the cache for the next job that
 * uses it).
 *
 * <p>Fetching a jar can take as long as the download: {@link #open} does it (and opens the
 * loader) on a small pool of its own, never on an actor's thread; the attempts of a job share
 * one fetch. {@link #loaderFor} then finds the loader open.
 */
final class JarLoaders implements JobLoaderSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JarLoaders.class);
  /** Jars fetched at once; more jobs' fetches wait in the pool's queue. */
  static final int FETCHERS = 2;

  private final Map<String, ClassLoader> byJob = new ConcurrentHashMap<>();
  /** The opens under way, by job: an attempt that arrives meanwhile waits for the same one. */
  private final Map<String, CompletableFuture<ClassLoader>> opening = new ConcurrentHashMap<>();
  /** Held while a finished open keeps its loader and while a job's end takes it away. */
  private final Object ends = new Object();
  private final JarCache cache;
  private final ExecutorService fetchers;

  /** Loaders over paths and, through {@code cache} (null: none), over stored jars. */
  JarLoaders(JarCache cache) {
    this.cache = cache;
    AtomicInteger n = new AtomicInteger();
    this.fetchers = Executors.newFixedThreadPool(FETCHERS, r -> {
      Thread t = new Thread(r, "jar-fetch-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The class loader of {@code spec}'s job, from this thread: opened here (fetching its jar) if
   * no {@link #open} did it before.
   */
  @Override
  public ClassLoader loaderFor(TaskSpec spec) {
    ClassLoader l = byJob.get(spec.id().jobId());
    return l != null ? l : keep(spec.id().jobId(), openNow(spec));
  }

  /**
   * Opens the class loader of {@code spec}'s job on the fetch pool (at once if it is open).
   * The future fails with the fetch's error, which names the jar and every master tried; the
   * next attempt of the job tries again.
   */
  CompletableFuture<ClassLoader> open(TaskSpec spec) {
    String job = spec.id().jobId();
    ClassLoader open = byJob.get(job);
    if (open != null) {
      return CompletableFuture.completedFuture(open);
    }
    CompletableFuture<ClassLoader> started = new CompletableFuture<>();
    CompletableFuture<ClassLoader> running = opening.putIfAbsent(job, started);
    if (running != null) {
      return running;
    }
    try {
      fetchers.execute(() -> {
        ClassLoader l;
        try {
          l = openNow(spec);
        } catch (RuntimeException | Error e) {
          opening.remove(job, started);
          started.completeExceptionally(e);
          return;
        }
        finishOpen(spec, started, l);
      });
    } catch (RejectedExecutionException e) { // closed
      opening.remove(job, started);
      started.completeExceptionally(new IllegalStateException("the worker is stopping", e));
    }
    return started;
  }

  /**
   * Keeps the loader an {@link #open} made, unless the job ended while its jar was on its way:
   * then nobody would close it, so it is closed here and the waiting attempts fail. The lock
   * orders this against {@link #jobEnded}, which takes the job's open away under it.
   */
  private void finishOpen(TaskSpec spec, CompletableFuture<ClassLoader> started, ClassLoader l) {
    String job = spec.id().jobId();
    ClassLoader kept;
    synchronized (ends) {
      kept = opening.remove(job, started) ? keep(job, l) : null;
    }
    if (kept != null) {
      started.complete(kept);
      return;
    }
    closeLoader(job, l);
    started.completeExceptionally(new IllegalStateException("job " + job
        + " ended while its jar " + spec.job().jar() + " was being fetched"));
  }

  /** Keeps {@code l} as the job's loader, unless another thread opened one first. */
  private ClassLoader keep(String job, ClassLoader l) {
    ClassLoader before = byJob.putIfAbsent(job, l);
    if (before == null) {
      return l;
    }
    closeLoader(job, l);
    return before;
  }

  /** The masters' HTTP addresses as the leader named them (see {@link JarCache#learn}). */
  void learnMasters(List<String> httpAddresses) {
    if (cache != null) {
      cache.learn(httpAddresses);
    }
  }

  /**
   * Closes the class loader of job {@code jobId}, once no attempt of it runs here any more (a
   * task of it that arrives later opens a new one). Unknown jobs are ignored.
   */
  void jobEnded(String jobId) {
    ClassLoader l;
    synchronized (ends) {
      opening.remove(jobId);
      l = byJob.remove(jobId);
    }
    closeLoader(jobId, l);
  }

  private static void closeLoader(String jobId, ClassLoader l) {
    if (l instanceof URLClassLoader u) {
      try {
        u.close();
      } catch (IOException e) {
        log.warn("closing the class loader of job {}: {}", jobId, e.toString());
      }
    }
  }

  /** The jobs whose loaders are open. */
  Set<String> openJobs() {
    return Set.copyOf(byJob.keySet());
  }

  private ClassLoader openNow(TaskSpec spec) {
    String jar = spec.job().jar();
    ClassLoader own = JarLoaders.class.getClassLoader();
    if (jar == null) {
      return own;
    }
    Path path;
    if (JarCache.isReference(jar)) {
      if (cache == null) {
        throw new IllegalArgumentException("job jar " + jar + ": this worker has no jar cache");
      }
      try {
        path = cache.resolve(jar);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    } else {
      path = Path.of(jar);
      if (!Files.isReadable(path)) {
        throw new IllegalArgumentException("job jar " + jar + " is not readable on this worker");
      }
    }
    try {
      return new URLClassLoader("job:" + spec.id().jobId(),
          new URL[] {path.toAbsolutePath().toUri().toURL()}, own);
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("job jar " + jar + " is not a valid path", e);
    }
  }

  @Override
  public void close() {
    fetchers.shutdownNow();
    for (String job : Set.copyOf(byJob.keySet())) {
      jobEnded(job);
    }
  }
}
