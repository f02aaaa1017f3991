package dev.quern.examples;

import dev.quern.testkit.Seed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text files for the end-to-end tests, drawn from the test's seed: words from a small vocabulary
 * with accents, CJK, punctuation and digits; runs of spaces, tabs and form feeds; LF and CRLF line
 * ends; empty lines; files with and without a final newline.
 */
final class TestCorpus {

  private static final String[] WORDS = {"the", "tide", "The", "harbour", "river", "orchard",
      "apple", "apples", "café", "naïve", "Straße", "漢字", "ferry", "Ferry", "morning",
      "evening", "running", "sing", "ring", "king", "4", "42", "x1", "end.", "(note)", "it's",
      "well-kept", "mooring", "counting", "ÉCOLE", "a", "of", "and"};
  private static final String[] GAPS = {" ", " ", " ", "  ", "\t", " \t ", "\f"};

  private TestCorpus() {}

  /** Writes {@code files} files of about {@code bytesEach} bytes into {@code dir}. */
  static List<Path> write(Path dir, Seed seed, int files, int bytesEach) throws IOException {
    SplittableRandom rnd = seed.random();
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      StringBuilder sb = new StringBuilder();
      while (sb.length() < bytesEach) {
        int words = rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(14);
        if (rnd.nextInt(10) == 0) {
          sb.append(GAPS[rnd.nextInt(GAPS.length)]);
        }
        for (int w = 0; w < words; w++) {
          if (w > 0) {
            sb.append(GAPS[rnd.nextInt(GAPS.length)]);
          }
          sb.append(WORDS[Math.min(WORDS.length - 1, (int) Math.abs(rnd.nextGaussian() * 10))]);
        }
        sb.append(rnd.nextInt(4) == 0 ? "\r\n" : "\n");
      }
      if (f % 2 == 1) {
        sb.setLength(sb.length() - (sb.charAt(sb.length() - 2) == '\r' ? 2 : 1));
      }
      Path p = dir.resolve(String.format("doc-%02d.txt", f));
      Files.writeString(p, sb, StandardCharsets.UTF_8);
      written.add(p);
    }
    return written;
  }
}
