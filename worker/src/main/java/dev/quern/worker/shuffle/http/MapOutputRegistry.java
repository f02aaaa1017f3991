package dev.quern.worker.shuffle.http;

import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The map outputs that this worker produced and serves, by (job id, map attempt directory name).
 * The shuffle server looks files up here and nowhere else: a request names ids, never paths.
 */
final class MapOutputRegistry {
  private final Path root;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** One served output; the index is read once, on the first request. */
  static final class Entry {
    final MapOutputRef ref;
    final Path data;
    final Path index;
    private volatile PartitionIndex parsed;

    Entry(MapOutputRef ref, Path data, Path index) {
      this.ref = ref;
      this.data = data;
      this.index = index;
    }

    PartitionIndex index() throws IOException {
      PartitionIndex p = parsed;
      if (p == null) {
        p = PartitionIndex.read(index);
        parsed = p;
      }
      return p;
    }
  }

  /** @param root every registered file must lie under it (after resolving links) */
  MapOutputRegistry(Path root) throws IOException {
    this.root = root.toRealPath();
  }

  void register(MapOutputRef ref) throws IOException {
    if (ref.attempt().kind() != TaskKind.MAP) {
      throw new IllegalArgumentException(ref.attempt() + " is not a map attempt");
    }
    String job = ref.attempt().jobId();
    String attempt = ref.attempt().dirName();
    if (!ShufflePaths.JOB.matcher(job).matches()
        || !ShufflePaths.MAP_ATTEMPT.matcher(attempt).matches()) {
      throw new IllegalArgumentException("cannot serve " + ref.attempt()
          + ": its ids do not have the shape of a shuffle path");
    }
    Entry e = new Entry(ref, inRoot(ref.dataFile()), inRoot(ref.indexFile()));
    entries.put(key(job, attempt), e);
  }

  private Path inRoot(String file) throws IOException {
    Path p = Path.of(file);
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException("map output file " + file + " is not an absolute path");
    }
    Path real = p.toRealPath();
    if (!real.startsWith(root) || !Files.isRegularFile(real)) {
      throw new IllegalArgumentException("map output file " + file
          + " is not a regular file under the shuffle server's data directory " + root);
    }
    return real;
  }

  Entry get(String job, String attempt) {
    return entries.get(key(job, attempt));
  }

  /** Forgets a job's outputs and deletes their files; returns how many outputs it dropped. */
  int dropJob(String jobId) throws IOException {
    List<Entry> dropped = new ArrayList<>();
    entries.entrySet().removeIf(en -> {
      boolean mine = en.getValue().ref.attempt().jobId().equals(jobId);
      if (mine) {
        dropped.add(en.getValue());
      }
      return mine;
    });
    IOException first = null;
    for (Entry e : dropped) {
      for (Path p : List.of(e.data, e.index)) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ex) {
          if (first == null) {
            first = ex;
          } else {
            first.addSuppressed(ex);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return dropped.size();
  }

  int size() {
    return entries.size();
  }

  private static String key(String job, String attempt) {
    return job + "/" + attempt;
  }
}
