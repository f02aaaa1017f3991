package dev.quern.worker.logs;

import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A worker's task attempt logs: {@code DATA/logs/JOB/TASK_N/{stdout,stderr,log}} (e.g. {@code
 * logs/job-0003/m-00002_1/stdout}), each file capped at {@code max-bytes} ({@link CappedOutput}),
 * kept for {@code retention} after it was last written ({@link #sweep}, which leaves a small
 * {@code TASK_N.expired} marker for one more retention so that a late reader is told the logs
 * expired rather than never existed). Reads come from the leader over the cluster wire, in
 * chunks; every name is checked against a strict pattern before it touches the disk, so no
 * request reaches outside the logs directory.
 *
 * <p>A file, and the attempt's directory, are made at the attempt's first byte on that stream:
 * most attempts print nothing, and with many small tasks their empty files were most of a task's
 * inodes. The job's directory is made when its first attempt here starts, and stands for its
 * attempts that wrote nothing: a stream with no file in a job directory that exists reads as
 * empty. A job directory with nothing in it goes a retention after it was made (leaving {@code
 * JOB.expired} for one more), so such attempts' logs expire too.
 */
public final class AttemptLogs {
  public static final String RETENTION_KEY = "quern.worker.logs.retention";
  public static final String MAX_BYTES_KEY = "quern.worker.logs.max-bytes";
  /** The system properties an executor JVM is given: its logs directory and cap. */
  public static final String DIR_PROPERTY = "quern.worker.logs.dir";
  public static final String MAX_BYTES_PROPERTY = MAX_BYTES_KEY;
  /** The most bytes one read returns (the wire keeps messages well under Artery's frame). */
  public static final int MAX_CHUNK = 128 * 1024;
  static final String EXPIRED = ".expired";

  private static final Pattern JOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final Pattern ATTEMPT = Pattern.compile("[mr]-[0-9]{1,9}_[0-9]{1,9}");

  private final Path root;
  private final Duration retention;
  private final long maxBytes;
  private final Clock clock;
  /** Jobs whose directory this instance made, the latest {@value #MADE_JOBS} of them. */
  private final Set<String> madeJobs = Collections.synchronizedSet(Collections.newSetFromMap(
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > MADE_JOBS;
        }
      }));
  private static final int MADE_JOBS = 256;

  public AttemptLogs(Path root, Duration retention, long maxBytes, Clock clock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(RETENTION_KEY + ": must be positive, got " + retention);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException(MAX_BYTES_KEY + ": 0 or more bytes, got " + maxBytes);
    }
    this.root = root;
    this.retention = retention;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /**
   * In an executor JVM: the logs its worker gave it ({@value #DIR_PROPERTY}, {@value
   * #MAX_BYTES_PROPERTY}), or null when it was started without (the attempts' output then goes
   * to the executor's stderr as before).
   */
  public static AttemptLogs fromSystemProperties() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      return null;
    }
    long cap = Long.parseLong(System.getProperty(MAX_BYTES_PROPERTY, "10485760"));
    // Retention is the worker's business (it sweeps); any positive value does here.
    return new AttemptLogs(Path.of(dir), Duration.ofDays(1), cap, Clock.systemUTC());
  }

  /** The JVM options that give an executor these logs. */
  public List<String> executorOptions() {
    return List.of("-D" + DIR_PROPERTY + "=" + root.toAbsolutePath(),
        "-D" + MAX_BYTES_PROPERTY + "=" + maxBytes);
  }

  public Path root() {
    return root;
  }

  public Duration retention() {
    return retention;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The attempt's files, for writing: each is made at its first byte. Makes the job's directory
   * if there is none yet (it says that an attempt of the job started here: its streams without a
   * file read as empty).
   */
  public AttemptOutput open(TaskAttemptId id) throws IOException {
    Path dir = dir(id.jobId(), id.dirName());
    Path job = dir.getParent();
    if (!Files.isDirectory(job)) {
      Files.createDirectories(job);
      Files.deleteIfExists(root.resolve(id.jobId() + EXPIRED));
      madeJobs.add(id.jobId());
    }
    // An attempt's marker is left when its directory expires, so one can be there at its open
    // only if its job's directory is older than this job here: a job id used again under the
    // same root (local runs number their jobs from 1). In a directory made for this job there is
    // none, and with many small tasks the delete that finds nothing was 2% of a job's CPU.
    if (!madeJobs.contains(id.jobId())) {
      Files.deleteIfExists(dir.resolveSibling(id.dirName() + EXPIRED));
    }
    return new AttemptOutput(id.toString(), dir, maxBytes);
  }

  /**
   * Whether this root holds anything of {@code job}: its directory, or the marker of its expired
   * directory (false for a name that is not a job id).
   */
  public boolean holds(String job) {
    if (job == null || !JOB.matcher(job).matches()) {
      return false;
    }
    return Files.isDirectory(root.resolve(job)) || Files.exists(root.resolve(job + EXPIRED));
  }

  /** Why there is nothing to read. */
  public enum Missing { NOT_FOUND, EXPIRED }

  /** There is nothing to read; the message says why, naming the attempt and this worker's keys. */
  public static final class LogsUnavailable extends IOException {
    private final Missing why;

    public LogsUnavailable(Missing why, String message) {
      super(message);
      this.why = why;
    }

    public Missing why() {
      return why;
    }
  }

  /**
   * Up to {@code length} bytes (at most {@link #MAX_CHUNK}) of a stream from {@code offset}.
   *
   * @param size the file's size now (a running attempt's grows)
   */
  public record Chunk(long size, long offset, byte[] bytes) {}

  /**
   * Reads a chunk of {@code job}'s attempt {@code attempt} (in {@link TaskAttemptId#dirName()}
   * form, e.g. {@code m-00002_1}).
   *
   * @throws IllegalArgumentException a name that is not a job id or an attempt, a bad range
   * @throws LogsUnavailable no such logs here, or they expired
   */
  public Chunk read(String job, String attempt, LogStream stream, long offset, int length)
      throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must not be negative (offset "
          + offset + ", length " + length + ")");
    }
    Path dir = dir(job, attempt);
    Path file = dir.resolve(stream.fileName());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.max(0, Math.min(Math.min(length, MAX_CHUNK), size - offset));
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
        // fills the buffer
      }
      byte[] out = b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
      return new Chunk(size, offset, out);
    } catch (NoSuchFileException e) {
      if (Files.exists(dir.resolveSibling(attempt + EXPIRED))) {
        throw expired(job, attempt);
      }
      if (Files.isDirectory(dir.getParent())) {
        // The attempt started here and wrote nothing to this stream: no file was made.
        return new Chunk(0, offset, new byte[0]);
      }
      if (Files.exists(root.resolve(job + EXPIRED))) {
        throw expired(job, attempt);
      }
      throw new LogsUnavailable(Missing.NOT_FOUND, "no logs of attempt " + job + "/"
          + attempt.replace('_', '/') + " here (it kept none: it ran in-process, or did not "
          + "start; or its logs were removed)");
    }
  }

  private LogsUnavailable expired(String job, String attempt) {
    return new LogsUnavailable(Missing.EXPIRED, "the logs of attempt " + job + "/"
        + attempt.replace('_', '/') + " expired: kept for " + retention + " (" + RETENTION_KEY
        + ")");
  }

  /** The attempt's directory, after checking both names against their patterns. */
  Path dir(String job, String attempt) {
    if (job == null || !JOB.matcher(job).matches()) {
      throw new IllegalArgumentException("not a job id: '" + job + "'");
    }
    if (attempt == null || !ATTEMPT.matcher(attempt).matches()) {
      throw new IllegalArgumentException("not an attempt (e.g. m-00002_1): '" + attempt + "'");
    }
    Path dir = root.resolve(job).resolve(attempt).normalize();
    if (!dir.startsWith(root.normalize())) {
      throw new IllegalArgumentException("not an attempt: '" + job + "/" + attempt + "'");
    }
    return dir;
  }

  /**
   * Removes the logs of attempts last written more than {@code retention} ago (leaving their
   * {@code .expired} markers), job directories made that long ago and still empty (their
   * attempts wrote nothing; leaving {@code JOB.expired}), markers older than that, and job
   * directories left empty. Returns how many attempts' logs it removed (an empty job directory
   * counts none).
   */
  public int sweep() throws IOException {
    return sweepAndPlan().removed();
  }

  /**
   * What a sweep did, and the first moment (epoch millis) at which anything it kept expires:
   * until then, with nothing written, another sweep would change nothing ({@link
   * Long#MAX_VALUE} when it kept nothing).
   */
  public record Swept(int removed, long nextDueMillis) {}

  /** {@link #sweep}, which also says when a next sweep can first find something to remove. */
  public Swept sweepAndPlan() throws IOException {
    if (!Files.isDirectory(root)) {
      return new Swept(0, Long.MAX_VALUE);
    }
    long keep = retention.toMillis();
    long before = clock.millis() - keep;
    long nextDue = Long.MAX_VALUE;
    int removed = 0;
    try (Stream<Path> all = Files.list(root)) {
      for (Path job : all.toList()) {
        String jobName = job.getFileName().toString();
        if (!Files.isDirectory(job)) {
          if (jobName.endsWith(EXPIRED)) {
            nextDue = Math.min(nextDue, expireMarker(job, before, keep));
          }
          continue;
        }
        // Read before the entries change it: when nothing was ever added, when it was made.
        long jobMade = Files.getLastModifiedTime(job).toMillis();
        boolean hadEntries = false;
        try (Stream<Path> entries = Files.list(job)) {
          for (Path e : entries.toList()) {
            hadEntries = true;
            String name = e.getFileName().toString();
            if (Files.isDirectory(e)) {
              long last = lastWritten(e);
              if (last < before) {
                deleteTree(e);
                mark(job.resolve(name + EXPIRED));
                nextDue = Math.min(nextDue, clock.millis() + keep);
                removed++;
              } else {
                nextDue = Math.min(nextDue, last + keep);
              }
            } else if (name.endsWith(EXPIRED)) {
              nextDue = Math.min(nextDue, expireMarker(e, before, keep));
            }
          }
        }
        if (hadEntries) {
          try {
            Files.deleteIfExists(job);
          } catch (DirectoryNotEmptyException e) {
            // logs or markers remain
          }
        } else if (jobMade < before) {
          // Attempts that wrote nothing (no files): their logs expire as written ones do.
          try {
            Files.delete(job);
          } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            continue; // an attempt wrote meanwhile, or another sweep took it
          }
          mark(root.resolve(jobName + EXPIRED));
          nextDue = Math.min(nextDue, clock.millis() + keep);
        } else {
          nextDue = Math.min(nextDue, jobMade + keep);
        }
      }
    }
    return new Swept(removed, nextDue);
  }

  /** Deletes a marker older than the retention; else returns when it will be (else MAX_VALUE). */
  private long expireMarker(Path marker, long before, long keep) throws IOException {
    long marked = Files.getLastModifiedTime(marker).toMillis();
    if (marked < before) {
      Files.deleteIfExists(marker);
      return Long.MAX_VALUE;
    }
    return marked + keep;
  }

  private void mark(Path marker) throws IOException {
    Files.write(marker, new byte[0]);
    Files.setLastModifiedTime(marker, FileTime.fromMillis(clock.millis()));
  }

  /** The newest modification time of the directory and its files. */
  private static long lastWritten(Path dir) throws IOException {
    long last = Files.getLastModifiedTime(dir).toMillis();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        last = Math.max(last, Files.getLastModifiedTime(f).toMillis());
      }
    }
    return last;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
