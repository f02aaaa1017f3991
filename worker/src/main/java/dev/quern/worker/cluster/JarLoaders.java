package dev.quern.worker.cluster;

import dev.quern.worker.actor.JobLoaderSource;
import dev.quern.worker.task.TaskSpec;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker process's job class loaders: one per job, over the jar its spec names (a path every
 * process of the cluster can read, until jars are stored by hash), parent-first over the
 * worker's own classes so {@code dev.quern.api} is shared. A job without a jar uses the worker's
 * own classes. Loaders stay open while the process lives (closing them when a job ends comes with
 * the jar store).
 */
final class JarLoaders implements JobLoaderSource, AutoCloseable {
  private final Map<String, ClassLoader> byJob = new ConcurrentHashMap<>();

  @Override
  public ClassLoader loaderFor(TaskSpec spec) {
    return byJob.computeIfAbsent(spec.id().jobId(), id -> open(spec));
  }

  private static ClassLoader open(TaskSpec spec) {
    String jar = spec.job().jar();
    ClassLoader own = JarLoaders.class.getClassLoader();
    if (jar == null) {
      return own;
    }
    Path path = Path.of(jar);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("job jar " + jar + " is not readable on this worker");
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
    for (ClassLoader l : byJob.values()) {
      if (l instanceof URLClassLoader u) {
        try {
          u.close();
        } catch (IOException ignored) {
          // closing is best effort at exit
        }
      }
    }
    byJob.clear();
  }
}
