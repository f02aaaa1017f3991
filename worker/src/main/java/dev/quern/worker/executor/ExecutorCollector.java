package dev.quern.worker.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The collector of executor JVMs, as {@code bin/quern} chooses it for a local run (whose tasks
 * run in its own JVM): the parallel collector, and transparent huge pages for the heap when the
 * kernel gives them on request. An executor runs batch tasks, which want throughput rather than
 * short pauses; locally this took TeraSort 1 GB to 0.76x of its wall time under G1 and WordCount
 * 1 GiB to 0.97x ({@code bench/collector/RESULTS.md}). The worker's own JVM keeps G1.
 *
 * <p>A collector or huge-page option among the worker's {@code executor.java-options} wins: then
 * none of these is added (two collectors named on one command line stop the JVM at start).
 */
final class ExecutorCollector {
  /** Where Linux says whether it backs memory with huge pages: always, on request, never. */
  static final Path TRANSPARENT_HUGE_PAGES =
      Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
  private static final Pattern CHOOSES_COLLECTOR =
      Pattern.compile("-XX:[+-]Use\\w*GC|.*(HugePages|LargePages).*");

  private ExecutorCollector() {}

  /** The options to add before {@code javaOptions}, given the kernel's huge-page setting file. */
  static List<String> options(List<String> javaOptions, Path hugePageSetting) {
    for (String o : javaOptions) {
      if (CHOOSES_COLLECTOR.matcher(o).matches()) {
        return List.of();
      }
    }
    List<String> opts = new ArrayList<>(2);
    opts.add("-XX:+UseParallelGC");
    if (hugePagesOnRequest(hugePageSetting)) {
      opts.add("-XX:+UseTransparentHugePages");
    }
    return opts;
  }

  /**
   * Whether the kernel gives huge pages to memory that asks for them ({@code [madvise]} or
   * {@code [always]}); where it says {@code [never]}, or there is no such file, the JVM would
   * print a warning for the option and go on without.
   */
  static boolean hugePagesOnRequest(Path setting) {
    try {
      String mode = Files.readString(setting);
      return mode.contains("[madvise]") || mode.contains("[always]");
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
