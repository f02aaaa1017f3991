package dev.quern.examples.wordcount;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.util.StringTokenizer;

/**
 * Emits {@code (word, 1)} for every token of a line, split exactly as {@link StringTokenizer}
 * splits by default (on space, tab, newline, carriage return and form feed).
 */
public class TokenizerMapper implements Mapper<Long, String, String, Long> {
  private static final Long ONE = 1L;

  @Override
  public void map(Long offset, String line, Context<String, Long> context) {
    StringTokenizer words = new StringTokenizer(line);
    while (words.hasMoreTokens()) {
      context.emit(words.nextToken(), ONE);
    }
  }
}
