package dev.quern.worker.executor;

import java.util.regex.Pattern;

/** The job settings an executor reads. */
public final class ExecutorKeys {
  /**
   * The heap of a job's executor JVMs, as {@code -Xmx} takes it ({@code 512m}, {@code 2g}); as
   * Spark's {@code spark.executor.memory}. Unset: the worker's {@code executor.default-memory}.
   */
  public static final String MEMORY = "quern.executor.memory";

  private static final Pattern SIZE = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

  private ExecutorKeys() {}

  /** Throws {@link IllegalArgumentException} naming {@code key} unless {@code v} is a heap size. */
  static String checkMemory(String key, String v) {
    if (v == null || !SIZE.matcher(v.trim()).matches()) {
      throw new IllegalArgumentException(key + ": not a heap size (like 512m or 2g): " + v);
    }
    return v.trim();
  }
}
