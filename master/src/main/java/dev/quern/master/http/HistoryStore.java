package dev.quern.master.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
      ObjectNode earlier = Files.isRegularFile(target) ? readTree(target) : null;
      if (earlier != null && !Objects.equals(submitTime(earlier), record.job().submitTime())) {
        archive(earlier);
      }
      write(target, JobRecordJson.write(record));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save job " + id + " to history " + dir, e);
    }
  }

  /**
   * Keeps an earlier run's job under {@code <id>.<submit time>}: a local cluster numbers its jobs
   * from job-0001 in every process, so ids repeat across runs. The earlier file is handled as a
   * JSON tree, with only its id changed: saving happens as a command exits, and binding the
   * file to {@link JobRecord} would first build Jackson's deserializers of every record type,
   * some tens of milliseconds of a short run's CPU, to change one field.
   */
  private void archive(ObjectNode earlier) throws IOException {
    ObjectNode job = (ObjectNode) earlier.get("job");
    String id = job.path("id").asText() + "." + submitTime(earlier);
    job.put("id", id);
    write(dir.resolve(id + SUFFIX), Json.MAPPER.writeValueAsBytes(earlier));
  }

  /** The earlier file as a tree, or null (logged) when it is not a job record. */
  private ObjectNode readTree(Path file) {
    try {
      if (Json.MAPPER.readTree(file.toFile()) instanceof ObjectNode tree
          && tree.get("job") instanceof ObjectNode) {
        return tree;
      }
      log.warn("replacing history file {}: not a job record", file);
    } catch (IOException | RuntimeException e) {
      log.warn("replacing unreadable history file {}: {}", file, e.toString());
    }
    return null;
  }

  private static Long submitTime(ObjectNode record) {
    JsonNode t = record.path("job").path("submitTime");
    return t.isIntegralNumber() ? t.asLong() : null;
  }

  private void write(Path target, byte[] json) throws IOException {
    Path tmp = Files.createTempFile(dir, ".job", ".tmp");
    Files.write(tmp, json);
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

  /** Whether a record of job {@code id} is on disk (without reading it). */
  public boolean has(String id) {
    return validId(id) && Files.isRegularFile(dir.resolve(id + SUFFIX));
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
