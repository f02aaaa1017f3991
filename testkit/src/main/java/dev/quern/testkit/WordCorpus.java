package dev.quern.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.StringTokenizer;
import java.util.TreeMap;

/**
 * A small seeded text of words {@code w0..wN} and its word counts, computed here by a plain
 * tokenizer: the independent reference that a WordCount run through Quern is checked against.
 *
 * <pre>{@code
 * WordCorpus corpus = WordCorpus.write(dir.resolve("in.txt"), seed.random(), 300, 12, 50, false);
 * assertThat(countsOf(out)).isEqualTo(corpus.counts());
 * }</pre>
 *
 * @param file where the text was written
 * @param counts each word's count, sorted by word
 */
public record WordCorpus(Path file, SortedMap<String, Long> counts) {

  /**
   * Writes {@code lines} lines of up to {@code maxWordsPerLine - 1} words drawn from
   * {@code vocabulary} words; with {@code tabs} a separator is a space or a tab at random.
   */
  public static WordCorpus write(Path file, SplittableRandom random, int lines,
      int maxWordsPerLine, int vocabulary, boolean tabs) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < lines; line++) {
      int words = random.nextInt(maxWordsPerLine);
      for (int w = 0; w < words; w++) {
        if (w > 0) {
          text.append(tabs && random.nextBoolean() ? '\t' : ' ');
        }
        text.append('w').append(random.nextInt(vocabulary));
      }
      text.append('\n');
    }
    Files.writeString(file, text);
    SortedMap<String, Long> counts = new TreeMap<>();
    StringTokenizer tokens = new StringTokenizer(text.toString());
    while (tokens.hasMoreTokens()) {
      counts.merge(tokens.nextToken(), 1L, Long::sum);
    }
    return new WordCorpus(file, Collections.unmodifiableSortedMap(counts));
  }
}
