package dev.quern.master.http;

import dev.quern.worker.logs.AttemptLogs;
import dev.quern.worker.logs.LogsConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode's attempt logs: each run of a local cluster keeps its attempts' files in a
 * directory of its own, {@code HISTORY/logs/run-<start millis>-<pid>}, laid out, capped and
 * swept as a worker's ({@link AttemptLogs}: {@code JOB/TASK_N/{stdout,stderr,log}}), since job
 * ids start again at {@code job-0001} in every run. A job's logs are in the newest run that
 * started no later than the job was submitted and holds the job; that is how the UI of the run
 * and later {@code quern ui} (history) find them.
 *
 * <p>Retention and the cap are {@code quern.worker.logs.retention} and {@code max-bytes} (JVM
 * properties, e.g. in {@code QUERN_JAVA_OPTS}; defaults 1 day and 10 MiB), as on a worker. Every
 * start sweeps the older runs on a thread of its own, so a start never waits for it.
 */
public final class LocalAttemptLogs {
  private static final Logger log = LoggerFactory.getLogger(LocalAttemptLogs.class);
  /** Under the history directory. */
  public static final String DIR = "logs";
  private static final Pattern RUN = Pattern.compile("run-([0-9]{1,19})-([0-9]{1,19})");

  private final Path base;
  private final Duration retention;
  private final long maxBytes;
  private final Clock clock;

  public LocalAttemptLogs(Path base, Duration retention, long maxBytes, Clock clock) {
    this.base = base;
    this.retention = retention;
    this.maxBytes = maxBytes;
    this.clock = clock;
    new AttemptLogs(base, retention, maxBytes, clock); // the same checks, with the keys' names
  }

  /** Under {@code historyDir}, with the retention and cap the JVM's properties give. */
  public static LocalAttemptLogs under(Path historyDir) {
    Duration retention = LogsConfig.DEFAULT_RETENTION;
    long maxBytes = LogsConfig.DEFAULT_MAX_BYTES;
    String r = System.getProperty(AttemptLogs.RETENTION_KEY);
    String m = System.getProperty(AttemptLogs.MAX_BYTES_KEY);
    try {
      com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseMap(
          java.util.Map.of("r", r == null ? retention.toMillis() + "ms" : r,
              "m", m == null ? Long.toString(maxBytes) : m));
      retention = c.getDuration("r");
      maxBytes = c.getBytes("m");
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException(AttemptLogs.RETENTION_KEY + " or "
          + AttemptLogs.MAX_BYTES_KEY + ": " + e.getMessage(), e);
    }
    return new LocalAttemptLogs(historyDir.resolve(DIR), retention, maxBytes, Clock.systemUTC());
  }

  public Path base() {
    return base;
  }

  /**
   * A new run's logs (its directory is made at the first attempt), after starting a sweep of the
   * older runs in the background.
   */
  public AttemptLogs startRun() {
    Instant now = clock.instant();
    Path dir = base.resolve("run-" + now.toEpochMilli() + "-" + ProcessHandle.current().pid());
    Thread sweeper = new Thread(() -> sweep(dir), "quern-local-logs-sweep");
    sweeper.setDaemon(true);
    sweeper.start();
    return new AttemptLogs(dir, retention, maxBytes, clock);
  }

  /** The logs of the run that ran {@code job}, submitted at {@code submitted} (null: unknown). */
  public Optional<AttemptLogs> runOf(String job, Instant submitted) {
    List<Run> runs = runs();
    runs.sort(Comparator.comparingLong(Run::startMillis).reversed());
    for (Run r : runs) {
      if (submitted != null && r.startMillis() > submitted.toEpochMilli()) {
        continue;
      }
      // The job's directory, or the marker it left when it expired empty (its attempts wrote
      // nothing), so that their reads say "expired" rather than "no logs of the job".
      AttemptLogs logs = new AttemptLogs(r.dir(), retention, maxBytes, clock);
      if (logs.holds(job)) {
        return Optional.of(logs);
      }
    }
    return Optional.empty();
  }

  private record Run(Path dir, long startMillis, long pid) {}

  private List<Run> runs() {
    List<Run> out = new ArrayList<>();
    if (!Files.isDirectory(base)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(base)) {
      for (Path p : s) {
        Matcher m = RUN.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p)) {
          out.add(new Run(p, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        }
      }
    } catch (IOException e) {
      log.warn("cannot list the local attempt logs in {}: {}", base, e.toString());
    }
    return out;
  }

  /**
   * In a finished run's directory: the epoch millis before which a sweep finds nothing to remove
   * there (its newest attempt's or marker's time plus the retention). A finished run is written
   * no more, so its next change is known once it was walked; without this file every start
   * walked every older run's attempts (tens of thousands of files after a day of many-task
   * jobs, most of a small job's CPU).
   */
  static final String SWEPT = ".swept-until";

  /**
   * Sweeps every run but {@code current} as a worker does, and removes runs left empty. A
   * finished run swept before is walked again only once something in it can have expired.
   */
  void sweep(Path current) {
    long now = clock.millis();
    for (Run r : runs()) {
      if (r.dir().equals(current)) {
        continue;
      }
      try {
        boolean finished = !stillRunning(r);
        if (finished && now <= sweptUntil(r.dir())) {
          continue;
        }
        AttemptLogs.Swept swept = new AttemptLogs(r.dir(), retention, maxBytes, clock)
            .sweepAndPlan();
        Path marker = r.dir().resolve(SWEPT);
        boolean empty;
        try (var left = Files.list(r.dir())) {
          empty = left.allMatch(marker::equals);
        }
        if (empty) {
          Files.deleteIfExists(marker);
          Files.deleteIfExists(r.dir());
        } else if (finished) {
          Files.writeString(marker, Long.toString(swept.nextDueMillis()));
        }
      } catch (IOException e) {
        log.debug("sweeping the local attempt logs of {}: {}", r.dir(), e.toString());
      }
    }
  }

  /** The run's {@link #SWEPT} time, or 0 (walk it) when it has none or an unreadable one. */
  private static long sweptUntil(Path run) {
    try {
      return Long.parseLong(Files.readString(run.resolve(SWEPT)).trim());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Whether the process that made the run may still write to it: its pid is alive and was
   * started before the run (a later process with the same pid is another program). When the
   * start time is unknown, it counts as running: walked every time, as before.
   */
  private static boolean stillRunning(Run r) {
    Optional<ProcessHandle> p = ProcessHandle.of(r.pid());
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    return p.get().info().startInstant()
        .map(started -> started.toEpochMilli() <= r.startMillis())
        .orElse(true);
  }
}
