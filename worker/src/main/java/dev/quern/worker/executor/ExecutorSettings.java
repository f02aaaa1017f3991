package dev.quern.worker.executor;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a worker starts its executor JVMs.
 *
 * @param workerId the worker's id (for logs)
 * @param java the {@code java} command
 * @param classPath the worker's own class path; the job's jar goes after it
 * @param javaOptions more JVM options for every executor (GC, JIT), before the heap option
 * @param defaultMemory the heap ({@code -Xmx}) of a job that sets no {@value
 *     ExecutorKeys#MEMORY}
 * @param killGrace how long a killed attempt may take to stop before its executor is ended
 * @param dir where the executors' stderr files (and JVM crash files) go, a directory per job
 * @param shuffleAddress the worker's shuffle server, {@code host:port}
 * @param slots the worker's slots (the executor sizes its sort buffers as the worker would)
 * @param shuffleAccess how the worker's fetches are secured: an executor of job J is given J's
 *     shuffle key alone (and the CA certificate) in its environment or its bind frame ({@link
 *     dev.quern.worker.shuffle.http.ShuffleAccess#executorEnvironment})
 * @param warmSpare whether the pool keeps a spare executor started ahead of jobs ({@link
 *     ExecutorPool})
 * @param reuseJobs how many jobs one executor JVM may serve, one after another (1: each job's
 *     executors end with it; {@link ExecutorPool#jobEnded})
 */
public record ExecutorSettings(String workerId, String java, String classPath,
    List<String> javaOptions, String defaultMemory, Duration killGrace, Path dir,
    String shuffleAddress, int slots,
    dev.quern.worker.shuffle.http.ShuffleAccess shuffleAccess, boolean warmSpare,
    int reuseJobs) {

  /** Without reuse: each executor JVM serves one job. */
  public ExecutorSettings(String workerId, String java, String classPath,
      List<String> javaOptions, String defaultMemory, Duration killGrace, Path dir,
      String shuffleAddress, int slots,
      dev.quern.worker.shuffle.http.ShuffleAccess shuffleAccess, boolean warmSpare) {
    this(workerId, java, classPath, javaOptions, defaultMemory, killGrace, dir, shuffleAddress,
        slots, shuffleAccess, warmSpare, 1);
  }

  /** An unsecured cluster's (fetches over plain HTTP, unsigned), with a warm spare. */
  public ExecutorSettings(String workerId, String java, String classPath,
      List<String> javaOptions, String defaultMemory, Duration killGrace, Path dir,
      String shuffleAddress, int slots) {
    this(workerId, java, classPath, javaOptions, defaultMemory, killGrace, dir, shuffleAddress,
        slots, dev.quern.worker.shuffle.http.ShuffleAccess.NONE, true);
  }

  /** An unsecured cluster's, with a warm spare or not. */
  public ExecutorSettings(String workerId, String java, String classPath,
      List<String> javaOptions, String defaultMemory, Duration killGrace, Path dir,
      String shuffleAddress, int slots, boolean warmSpare) {
    this(workerId, java, classPath, javaOptions, defaultMemory, killGrace, dir, shuffleAddress,
        slots, dev.quern.worker.shuffle.http.ShuffleAccess.NONE, warmSpare);
  }

  /** Secured as {@code shuffleAccess} says, with a warm spare. */
  public ExecutorSettings(String workerId, String java, String classPath,
      List<String> javaOptions, String defaultMemory, Duration killGrace, Path dir,
      String shuffleAddress, int slots,
      dev.quern.worker.shuffle.http.ShuffleAccess shuffleAccess) {
    this(workerId, java, classPath, javaOptions, defaultMemory, killGrace, dir, shuffleAddress,
        slots, shuffleAccess, true);
  }

  public ExecutorSettings {
    Objects.requireNonNull(java, "java");
    Objects.requireNonNull(shuffleAccess, "shuffleAccess");
    javaOptions = List.copyOf(javaOptions);
    ExecutorKeys.checkMemory("quern.worker.executor.default-memory", defaultMemory);
    if (reuseJobs < 1) {
      throw new IllegalArgumentException("quern.worker.executor.reuse-jobs: must be at least 1, "
          + "got " + reuseJobs);
    }
  }

  /**
   * The class-data-sharing options this JVM was started with ({@code bin/quern} gives the
   * cluster processes an archive of Quern's classes): an executor's class path starts with the
   * worker's, so the archive serves it too and its start loads fewer classes.
   */
  public static List<String> inheritedSharing() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-Xlog:cds")
            || a.startsWith("-Xshare:"))
        .toList();
  }

  /** The {@code java} of this JVM. */
  public static String thisJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
