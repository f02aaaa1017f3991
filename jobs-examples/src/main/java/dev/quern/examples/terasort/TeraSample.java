package dev.quern.examples.terasort;

import dev.quern.api.JobSubmitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The built-in sample the TeraSort drivers run on when given no arguments (as the other examples
 * do): {@value #ROWS} generated rows under a fresh temp directory.
 */
final class TeraSample {
  static final long ROWS = 10_000;

  private TeraSample() {}

  static Path freshDir(String example) {
    try {
      return Files.createTempDirectory("quern-" + example + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the sample: "
          + e.getMessage(), e);
    }
  }

  /** Generates the sample rows into {@code dir/input} and returns that path. */
  static String generate(Path dir, JobSubmitter submitter) throws Exception {
    String input = dir.resolve("input").toString();
    if (TeraGen.run(new String[] {Long.toString(ROWS), input}, submitter) != 0) {
      throw new IllegalStateException("teragen could not generate the sample in " + input);
    }
    return input;
  }

  /**
   * Drivers fail by throwing rather than {@code System.exit}, so that {@code quern submit} can
   * run them inside its own JVM; as a plain program an uncaught exception still exits 1.
   */
  static void exitCode(String example, int code) {
    if (code == 2) {
      throw new IllegalArgumentException(example + ": bad arguments (usage printed above)");
    }
    if (code != 0) {
      throw new IllegalStateException(example + " failed (reason printed above)");
    }
  }
}
