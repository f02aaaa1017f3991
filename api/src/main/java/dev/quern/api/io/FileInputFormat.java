package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import java.io.IOException;
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
    for (Path file : listFiles(inputPaths)) {
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

  /** Whether a file may be cut into several splits; compressed files usually may not. */
  protected boolean isSplittable(Path file) {
    return true;
  }

  /**
   * The regular files under the given paths, sorted within each directory. Fails naming the path
   * that does not exist or cannot be read.
   */
  public static List<Path> listFiles(List<String> inputPaths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String p : inputPaths) {
      Path path = Path.of(p);
      if (!Files.exists(path)) {
        throw new IOException("input path " + p + " does not exist");
      }
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
            if (!hidden(path, f)) {
              files.add(checkReadable(f));
            }
          }
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
