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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's job class loaders: one per job, parent-first over the worker's own classes
 * so {@code dev.quern.api} is shared. The job's jar is either a stored jar ({@code sha256:HEX},
 * fetched from the masters into the {@link JarCache} and checked against its hash) or a path every
 * process of the cluster can read. A job without a jar uses the worker's own classes.
 * {@link #jobEnded} closes a job's loader (its jar file stays in the cache for the next job that
 * uses it).
 */
final class JarLoaders implements JobLoaderSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JarLoaders.class);

  private final Map<String, ClassLoader> byJob = new ConcurrentHashMap<>();
  private final JarCache cache;

  /** Loaders over paths and, through {@code cache} (null: none), over stored jars. */
  JarLoaders(JarCache cache) {
    this.cache = cache;
  }

  @Override
  public ClassLoader loaderFor(TaskSpec spec) {
    return byJob.computeIfAbsent(spec.id().jobId(), id -> open(spec));
  }

  /**
   * Closes the class loader of job {@code jobId}, once no attempt of it runs here any more (a
   * task of it that arrives later opens a new one). Unknown jobs are ignored.
   */
  /** The masters' HTTP addresses as the leader named them (see {@link JarCache#learn}). */
  void learnMasters(List<String> httpAddresses) {
    if (cache != null) {
      cache.learn(httpAddresses);
    }
  }

  void jobEnded(String jobId) {
    ClassLoader l = byJob.remove(jobId);
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

  private ClassLoader open(TaskSpec spec) {
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
    for (String job : Set.copyOf(byJob.keySet())) {
      jobEnded(job);
    }
  }
}
