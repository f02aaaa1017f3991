package dev.quern.examples.join;

import dev.quern.api.Configuration;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.LineInputFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text lines tagged with the table their file belongs to: a file under one of the paths in
 * {@value #CUSTOMERS} is a customers file, one under a path in {@value #ORDERS} an orders file
 * (paths comma-separated, files or directories, as given to the job's {@code input}). Splits and
 * line rules are those of {@link dev.quern.api.io.TextInputFormat} (see {@link LineInputFormat}).
 *
 * <p>Example: with {@code join.customers=/data/customers}, line 1 of {@code
 * /data/customers/c.csv} reads as {@code (LineSource(CUSTOMERS, "/data/customers/c.csv", 0),
 * "c1,Ada,UK")}.
 */
public class TableInputFormat extends LineInputFormat<LineSource, String> {
  public static final String CUSTOMERS = "join.customers";
  public static final String ORDERS = "join.orders";

  @Override
  protected LineParser<LineSource, String> parser(FileSplit split, Configuration conf) {
    Table table = tableOf(Path.of(split.path()), conf);
    return (offset, line) -> Map.entry(new LineSource(table, split.path(), offset), line);
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
