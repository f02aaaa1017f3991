package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Base of the file formats: expands directories into their files and cuts files into splits of
 * {@value #SPLIT_SIZE} bytes (default 64 MiB). As in Hadoop, names starting with {@code _} or
 * {@code .} are skipped (so a job can read another job's output directory), and the last split of
 * a file may be up to 10% larger rather than leave a tiny tail split.
 *
 * <p>Inputs may be local or on another filesystem ({@code hdfs://nn:8020/data}, see {@link
 * FileSystems}). There, unless {@value #SPLIT_SIZE} is set, splits follow the file's blocks, and
 * each split carries the hosts of the block that holds most of it.
 *
 * <pre>{@code
 * public class CsvInputFormat extends FileInputFormat<Long, String[]> {
 *   public RecordReader<Long, String[]> open(InputSplit split, Configuration conf) { ... }
 * }
 * }</pre>
 */
public abstract class FileInputFormat<K, V> implements InputFormat<K, V> {
  /** Target split size in bytes; accepts k/m/g suffixes. */
  public static final String SPLIT_SIZE = "quern.input.split-size";

  public static final long DEFAULT_SPLIT_SIZE = 64L << 20;
  private static final double SPLIT_SLOP = 1.1;

  @Override
  public List<InputSplit> splits(List<String> inputPaths, Configuration conf) throws IOException {
    long splitSize = Sizes.get(conf, SPLIT_SIZE, DEFAULT_SPLIT_SIZE);
    if (splitSize <= 0) {
      throw new IllegalArgumentException(SPLIT_SIZE + " must be positive, got " + splitSize);
    }
    List<InputSplit> splits = new ArrayList<>();
    List<String> local = new ArrayList<>();
    for (String p : inputPaths) {
      if (FileSystems.isLocal(p)) {
        local.add(p);
      } else {
        remoteSplits(p, conf, conf.get(SPLIT_SIZE) == null ? 0 : splitSize, splits);
      }
    }
    for (Path file : listFiles(local)) {
      long size = Files.size(file);
      if (!isSplittable(file) || size == 0) {
        splits.add(new FileSplit(file.toString(), 0, size, List.of()));
        continue;
      }
      long start = 0;
      while ((size - start) / (double) splitSize > SPLIT_SLOP) {
        splits.add(new FileSplit(file.toString(), start, splitSize, List.of()));
        start += splitSize;
      }
      splits.add(new FileSplit(file.toString(), start, size - start, List.of()));
    }
    return splits;
  }

  /** Splits of the files under one non-local path; {@code splitSize} 0 follows the blocks. */
  private void remoteSplits(String path, Configuration conf, long splitSize,
      List<InputSplit> splits) throws IOException {
    FileSystem fs = FileSystems.get(path, conf);
    for (FileStatus file : listFiles(fs, path)) {
      long size = file.length();
      // The name decides splittability (.gz); a Path of the URI keeps the file name.
      if (!isSplittable(Path.of(file.name())) || size == 0) {
        splits.add(new FileSplit(file.path(), 0, size, hosts(fs, file, 0, size)));
        continue;
      }
      long step = splitSize > 0 ? splitSize
          : file.blockSize() > 0 ? file.blockSize() : DEFAULT_SPLIT_SIZE;
      long start = 0;
      while ((size - start) / (double) step > SPLIT_SLOP) {
        splits.add(new FileSplit(file.path(), start, step, hosts(fs, file, start, step)));
        start += step;
      }
      splits.add(new FileSplit(file.path(), start, size - start,
          hosts(fs, file, start, size - start)));
    }
  }

  /** The hosts of the block that holds the most bytes of the range. */
  private static List<String> hosts(FileSystem fs, FileStatus file, long start, long length)
      throws IOException {
    List<String> best = List.of();
    long most = 0;
    for (BlockLocation b : fs.blockLocations(file.path(), start, Math.max(1, length))) {
      long o = b.overlap(start, start + Math.max(1, length));
      if (o > most) {
        most = o;
        best = b.hosts();
      }
    }
    return best;
  }

  /**
   * The files under a path of any filesystem, recursively and sorted, skipping names that start
   * with {@code _} or {@code .}. Fails naming the path when it does not exist.
   */
  public static List<FileStatus> listFiles(FileSystem fs, String path) throws IOException {
    FileStatus root;
    try {
      root = fs.status(path);
    } catch (FileNotFoundException e) {
      throw new IOException("input path " + path + " does not exist", e);
    }
    List<FileStatus> files = new ArrayList<>();
    if (!root.directory()) {
      files.add(root);
      return files;
    }
    try {
      listUnder(fs, root.path(), files);
    } catch (FileSystemException e) {
      // e.g. a link that loops back: the local filesystem follows links, and the OS stops it
      throw new IOException("input path " + path + ": " + e.getMessage(), e);
    }
    return files;
  }

  private static void listUnder(FileSystem fs, String dir, List<FileStatus> files)
      throws IOException {
    for (FileStatus s : fs.list(dir)) {
      if (s.name().startsWith("_") || s.name().startsWith(".")) {
        continue;
      }
      if (s.directory()) {
        listUnder(fs, s.path(), files);
      } else {
        files.add(s);
      }
    }
  }

  /**
   * The split as a {@link FileSplit}, for {@link #open}; any other kind fails naming this format,
   * e.g. {@code TextInputFormat reads FileSplits, got ...}.
   */
  protected FileSplit fileSplit(InputSplit split) {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " reads FileSplits, got " + split);
    }
    return fs;
  }

  /** Whether a file may be cut into several splits; compressed files usually may not. */
  protected boolean isSplittable(Path file) {
    return true;
  }

  /**
   * The regular files under the given paths, sorted within each directory, following symbolic
   * links. Fails naming the path that does not exist, cannot be read, or holds a link loop.
   */
  public static List<Path> listFiles(List<String> inputPaths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String p : inputPaths) {
      Path path = dev.quern.api.fs.LocalFileSystem.toPath(p);
      if (!Files.exists(path)) {
        throw new IOException("input path " + p + " does not exist");
      }
      if (Files.isDirectory(path)) {
        // Links are followed, as Hadoop's local filesystem and a shell's ls do: without it an
        // input directory given through a symbolic link walked as one non-regular entry, and the
        // job ran with no input at all.
        try (Stream<Path> walk = Files.walk(path, FileVisitOption.FOLLOW_LINKS)) {
          for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
            if (!hidden(path, f)) {
              files.add(checkReadable(f));
            }
          }
        } catch (UncheckedIOException e) {
          if (e.getCause() instanceof FileSystemLoopException loop) {
            throw new IOException("input path " + p + ": the symbolic link " + loop.getFile()
                + " loops back to a directory above it", loop);
          }
          throw e.getCause();
        }
      } else {
        files.add(checkReadable(path));
      }
    }
    return files;
  }

  private static boolean hidden(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      String n = part.toString();
      if (n.startsWith("_") || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static Path checkReadable(Path f) throws IOException {
    if (!Files.isReadable(f)) {
      throw new IOException("input file " + f + " is not readable");
    }
    return f;
  }
}
