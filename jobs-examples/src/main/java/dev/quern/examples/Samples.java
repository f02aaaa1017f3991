package dev.quern.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The small text corpus packed in the examples jar, so that every example runs with no arguments.
 *
 * <pre>{@code
 * Path dir = Files.createTempDirectory("quern-wordcount-");
 * Path input = Samples.extractTo(dir.resolve("input"));
 * }</pre>
 */
public final class Samples {
  /** The sample files, as stored under {@code samples/} in the jar. */
  public static final List<String> FILES =
      List.of("harbour-log.txt", "orchard-letters.txt", "river-survey.txt");

  private Samples() {}

  /** Copies the sample files into {@code dir} (created if needed) and returns it. */
  public static Path extractTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : FILES) {
      try (InputStream in = Samples.class.getResourceAsStream("/samples/" + name)) {
        if (in == null) {
          throw new IOException("sample " + name + " is missing from the examples jar");
        }
        Files.copy(in, dir.resolve(name));
      }
    }
    return dir;
  }

  /**
   * The input and output of a run on the sample: {@code <tmp>/quern-<example>-<random>/input}
   * with the sample in it, and {@code .../output}, which does not exist yet.
   */
  public static InOut prepare(String example) {
    try {
      Path base = Files.createTempDirectory("quern-" + example + "-");
      Path input = extractTo(base.resolve("input"));
      return new InOut(input.toString(), base.resolve("output").toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the built-in sample: " + e.getMessage(), e);
    }
  }

  /** An example's input and output paths. */
  public record InOut(String input, String output) {}
}
