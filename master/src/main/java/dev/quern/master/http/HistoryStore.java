package dev.quern.master.http;

import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.JobRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of finished jobs, one {@code <job id>.json} file each ({@link JobRecord}). Files are
 * written to a temporary name and renamed, so a reader never sees half a file. A job of another
 * run with the same id is kept as {@code <job id>.<submit time>}. Reads are cached by
 * modification time, so a directory that another process writes into stays current.
 */
public final class HistoryStore {
  private static final Logger log = LoggerFactory.getLogger(HistoryStore.class);
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(FileTime modified, JobRecord record) {}

  public HistoryStore(Path dir) {
    this.dir = dir;
  }

  /** {@code ~/.quern/history}. */
  public static Path defaultDir() {
    return Path.of(System.getProperty("user.home"), ".quern", "history");
  }

  public Path dir() {
    return dir;
  }

  public void save(JobRecord record) {
    String id = record.job().id();
    if (!validId(id)) {
      throw new IllegalArgumentException("job id '" + id + "' cannot name a history file");
    }
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(id + SUFFIX);
      JobRecord earlier = Files.isRegularFile(target) ? read(target) : null;
      if (earlier != null && !Objects.equals(earlier.job().submitTime(),
          record.job().submitTime())) {
        archive(earlier);
      }
      write(target, record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save job " + id + " to history " + dir, e);
    }
  }

  /**
   * Keeps an earlier run's job under {@code <id>.<submit time>}: a local cluster numbers its jobs
   * from job-0001 in every process, so ids repeat across runs.
   */
  private void archive(JobRecord earlier) throws IOException {
    JobDoc j = earlier.job();
    String id = j.id() + "." + j.submitTime();
    JobDoc renamed = new JobDoc(id, j.name(), j.user(), j.state(), j.submitTime(), j.startTime(),
        j.endTime(), j.durationMillis(), j.inputs(), j.output(), j.map(), j.reduce(),
        j.counters(), j.configuration(), j.failure());
    write(dir.resolve(id + SUFFIX), new JobRecord(earlier.version(), renamed, earlier.tasks()));
  }

  private void write(Path target, JobRecord record) throws IOException {
    Path tmp = Files.createTempFile(dir, ".job", ".tmp");
    Files.writeString(tmp, Json.write(record));
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    // The file's mtime can stay the same across two writes in one clock tick, so the cache entry
    // of a file this store rewrites is dropped rather than trusted.
    cache.remove(target);
  }

  public Optional<JobRecord> load(String id) {
    if (!validId(id)) {
      return Optional.empty();
    }
    Path file = dir.resolve(id + SUFFIX);
    return Files.isRegularFile(file) ? Optional.ofNullable(read(file)) : Optional.empty();
  }

  /** Every readable record; a file that does not parse is logged and skipped. */
  public List<JobRecord> loadAll() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<JobRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .forEach(p -> {
            JobRecord r = read(p);
            if (r != null) {
              out.add(r);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list history directory " + dir, e);
    }
    return out;
  }

  private JobRecord read(Path file) {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      Cached c = cache.get(file);
      if (c != null && c.modified().equals(modified)) {
        return c.record();
      }
      JobRecord r = Json.MAPPER.readValue(file.toFile(), JobRecord.class);
      if (r.job() == null) {
        throw new IOException("no 'job' field");
      }
      cache.put(file, new Cached(modified, r));
      return r;
    } catch (IOException | RuntimeException e) {
      log.warn("skipping unreadable history file {}: {}", file, e.toString());
      return null;
    }
  }

  private static boolean validId(String id) {
    return id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
  }
}
