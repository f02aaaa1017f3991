package dev.quern.worker.shuffle;

import dev.quern.api.Configuration;

/**
 * How a reduce fetches map outputs that lie on other workers, read from the job's configuration.
 * Outputs on the reduce's own host are read in place, one after another, and never retried.
 *
 * @param parallelCopies map outputs fetched at once
 * @param retries further tries of a fetch that failed in a way that may pass (connection refused
 *     or broken, truncated, checksum mismatch) before the output is reported lost
 * @param backoffMillis wait before the first retry; each next wait doubles, up to 30 s
 */
public record FetchConfig(int parallelCopies, int retries, long backoffMillis) {
  /** Map outputs a reduce fetches at once (Hadoop's {@code shuffle.parallelcopies}). */
  public static final String PARALLEL_COPIES = "quern.reduce.shuffle.parallel-copies";
  /** Retries of a failed fetch before the map output is reported lost. */
  public static final String RETRIES = "quern.reduce.shuffle.fetch-retries";
  /** Milliseconds before the first retry of a fetch; doubled before each further one. */
  public static final String RETRY_BACKOFF_MS = "quern.reduce.shuffle.retry-backoff-ms";

  public static final FetchConfig DEFAULT = new FetchConfig(5, 3, 500);
  static final long MAX_BACKOFF_MILLIS = 30_000;

  public FetchConfig {
    if (parallelCopies < 1 || parallelCopies > 256) {
      throw new IllegalArgumentException(PARALLEL_COPIES + " must be 1-256, got "
          + parallelCopies);
    }
    if (retries < 0 || retries > 100) {
      throw new IllegalArgumentException(RETRIES + " must be 0-100, got " + retries);
    }
    if (backoffMillis < 0 || backoffMillis > MAX_BACKOFF_MILLIS) {
      throw new IllegalArgumentException(RETRY_BACKOFF_MS + " must be 0-" + MAX_BACKOFF_MILLIS
          + ", got " + backoffMillis);
    }
  }

  public static FetchConfig from(Configuration conf) {
    return new FetchConfig(conf.getInt(PARALLEL_COPIES, DEFAULT.parallelCopies),
        conf.getInt(RETRIES, DEFAULT.retries),
        conf.getLong(RETRY_BACKOFF_MS, DEFAULT.backoffMillis));
  }

  /** The wait before retry number {@code retry} (0 for the first). */
  long backoff(int retry) {
    return Math.min(MAX_BACKOFF_MILLIS, backoffMillis << Math.min(retry, 20));
  }
}
