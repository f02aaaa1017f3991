package dev.quern.examples.wordcount;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.util.StringTokenizer;

/**
 * Emits {@code (word, 1)} for every token of a line, split exactly as {@link StringTokenizer}
 * splits by default (on space, tab, newline, carriage return and form feed). It scans the line
 * itself rather than through a {@link StringTokenizer}, which looks every char up in its
 * delimiter string and is an object per line.
 */
public class TokenizerMapper implements Mapper<Long, String, String, Long> {
  private static final Long ONE = 1L;

  @Override
  public void map(Long offset, String line, Context<String, Long> context) {
    int n = line.length();
    int i = 0;
    while (true) {
      while (i < n && isDelimiter(line.charAt(i))) {
        i++;
      }
      if (i == n) {
        return;
      }
      int start = i;
      while (i < n && !isDelimiter(line.charAt(i))) {
        i++;
      }
      context.emit(line.substring(start, i), ONE);
    }
  }

  /** StringTokenizer's default delimiters: " \t\n\r\f". */
  static boolean isDelimiter(char c) {
    return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
  }
}
