package dev.quern.worker.logs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The {@code quern.worker.logs.*} keys: {@code retention} (how long an attempt's files are kept
 * after they were last written) and {@code max-bytes} (the cap of each file).
 */
public final class LogsConfig {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
  public static final long DEFAULT_MAX_BYTES = 10L << 20;

  private LogsConfig() {}

  /** The worker's attempt logs under {@code dir}, as {@code section} (quern.worker) sets them. */
  public static AttemptLogs from(Config section, Path dir) {
    try {
      return new AttemptLogs(dir, section.getDuration("logs.retention"),
          section.getBytes("logs.max-bytes"), Clock.systemUTC());
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
