package dev.quern.worker.executor;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The collector of executor JVMs, as {@code bin/quern} chooses it for a local run (whose tasks
 * run in its own JVM): the parallel collector. An executor runs batch tasks, which want
 * throughput rather than short pauses; locally this took TeraSort 1 GB to 0.76x of its wall time
 * under G1 and WordCount 1 GiB to 0.9-0.97x ({@code bench/collector/RESULTS.md}). The worker's own
 * JVM keeps G1. Transparent huge pages are not asked for: on one machine they helped, on another
 * they cost WordCount 1.12x (default heap) to 1.38x (2 GiB heap).
 *
 * <p>A collector option among the worker's {@code executor.java-options} wins: then none is
 * added (two collectors named on one command line stop the JVM at start).
 */
final class ExecutorCollector {
  private static final Pattern CHOOSES_COLLECTOR = Pattern.compile("-XX:[+-]Use\\w*GC");

  private ExecutorCollector() {}

  /** The options to add before {@code javaOptions}. */
  static List<String> options(List<String> javaOptions) {
    for (String o : javaOptions) {
      if (CHOOSES_COLLECTOR.matcher(o).matches()) {
        return List.of();
      }
    }
    return List.of("-XX:+UseParallelGC");
  }
}
