package dev.quern.examples.join;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.LineRecordReader;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text lines tagged with the table their file belongs to: a file under one of the paths in
 * {@value #CUSTOMERS} is a customers file, one under a path in {@value #ORDERS} an orders file
 * (paths comma-separated, files or directories, as given to the job's {@code input}). Splits and
 * line rules are those of {@link dev.quern.api.io.TextInputFormat}.
 *
 * <p>Example: with {@code join.customers=/data/customers}, line 1 of {@code
 * /data/customers/c.csv} reads as {@code (LineSource(CUSTOMERS, "/data/customers/c.csv", 0),
 * "c1,Ada,UK")}.
 */
public class TableInputFormat extends FileInputFormat<LineSource, String> {
  public static final String CUSTOMERS = "join.customers";
  public static final String ORDERS = "join.orders";

  @Override
  protected boolean isSplittable(Path file) {
    return !file.getFileName().toString().endsWith(".gz");
  }

  @Override
  public RecordReader<LineSource, String> open(InputSplit split, Configuration conf)
      throws IOException {
    if (!(split instanceof FileSplit fs)) {
      throw new IllegalArgumentException("TableInputFormat reads FileSplits, got " + split);
    }
    Table table = tableOf(Path.of(fs.path()), conf);
    LineRecordReader lines = new LineRecordReader(fs);
    return new RecordReader<>() {
      @Override
      public boolean next() throws IOException {
        return lines.next();
      }

      @Override
      public LineSource key() {
        return new LineSource(table, fs.path(), lines.key());
      }

      @Override
      public String value() {
        return lines.value();
      }

      @Override
      public float progress() {
        return lines.progress();
      }

      @Override
      public long bytesRead() {
        return lines.bytesRead();
      }

      @Override
      public void close() throws IOException {
        lines.close();
      }
    };
  }

  /** The table of a file; fails naming the file when it is under neither or both paths. */
  static Table tableOf(Path file, Configuration conf) {
    boolean customer = under(file, paths(conf, CUSTOMERS));
    boolean order = under(file, paths(conf, ORDERS));
    if (customer == order) {
      throw new IllegalArgumentException("input file " + file + " is under "
          + (customer ? "both" : "neither of") + " the paths of " + CUSTOMERS + " ("
          + conf.get(CUSTOMERS) + ") and " + ORDERS + " (" + conf.get(ORDERS) + ")");
    }
    return customer ? Table.CUSTOMERS : Table.ORDERS;
  }

  private static List<Path> paths(Configuration conf, String key) {
    List<Path> paths = new ArrayList<>();
    for (String p : conf.require(key).split(",")) {
      if (!p.isBlank()) {
        paths.add(normal(Path.of(p.trim())));
      }
    }
    return paths;
  }

  private static boolean under(Path file, List<Path> roots) {
    Path f = normal(file);
    return roots.stream().anyMatch(f::startsWith);
  }

  private static Path normal(Path p) {
    return p.toAbsolutePath().normalize();
  }
}
