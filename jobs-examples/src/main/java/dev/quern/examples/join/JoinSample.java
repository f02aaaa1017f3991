package dev.quern.examples.join;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The join's built-in sample, packed in the examples jar under {@code samples/join/}: a dozen
 * customers and their orders, with one customer who ordered nothing and two orders of a customer
 * id that does not exist.
 */
public final class JoinSample {
  private JoinSample() {}

  /** Where a run on the sample reads and writes. */
  public record Paths(String orders, String customers, String output) {}

  /**
   * Extracts the sample into {@code base}: {@code orders/orders.csv}, {@code
   * customers/customers.csv}, and names {@code base/output}, which does not exist yet.
   */
  public static Paths prepare(Path base) {
    try {
      Path orders = extract("orders.csv", base.resolve("orders"));
      Path customers = extract("customers.csv", base.resolve("customers"));
      return new Paths(orders.toString(), customers.toString(),
          base.resolve("output").toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the join sample: " + e.getMessage(), e);
    }
  }

  private static Path extract(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = JoinSample.class.getResourceAsStream("/samples/join/" + name)) {
      if (in == null) {
        throw new IOException("sample join/" + name + " is missing from the examples jar");
      }
      Files.copy(in, dir.resolve(name));
    }
    return dir;
  }
}
