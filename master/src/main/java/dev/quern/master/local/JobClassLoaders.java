package dev.quern.master.local;

import dev.quern.api.JobSpec;
import dev.quern.worker.actor.JobLoaderSource;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One class loader per job: a {@link URLClassLoader} over the job's jar whose parent is the
 * cluster's own loader (parent-first, so {@code dev.quern.api} is shared with the engine), or the
 * submitting thread's context loader when the job names no jar.
 */
final class JobClassLoaders implements JobLoaderSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobClassLoaders.class);

  private final Map<String, ClassLoader> byJob = new ConcurrentHashMap<>();

  /** A fresh loader for a job being checked; not registered until {@link #register}. */
  static ClassLoader create(JobSpec spec) {
    if (spec.jar() == null) {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      return context != null ? context : LocalCluster.class.getClassLoader();
    }
    try {
      URL url = Path.of(spec.jar()).toAbsolutePath().toUri().toURL();
      return new URLClassLoader("job:" + spec.name(), new URL[] {url},
          LocalCluster.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("job jar " + spec.jar() + " is not a valid path", e);
    }
  }

  static void discard(ClassLoader loader) {
    if (loader instanceof URLClassLoader u) {
      try {
        u.close();
      } catch (IOException e) {
        log.debug("closing a job class loader failed", e);
      }
    }
  }

  void register(String jobId, ClassLoader loader) {
    byJob.put(jobId, loader);
  }

  @Override
  public ClassLoader loaderFor(TaskSpec spec) {
    ClassLoader l = byJob.get(spec.id().jobId());
    if (l == null) {
      throw new IllegalStateException("no class loader for job " + spec.id().jobId());
    }
    return l;
  }

  @Override
  public void close() {
    byJob.values().forEach(JobClassLoaders::discard);
    byJob.clear();
  }
}
