package dev.quern.examples.wordcount;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.util.StringTokenizer;

/**
 * Emits {@code (word, 1)} for every token of a line, split exactly as {@link StringTokenizer}
 * splits by default (on space, tab, newline, carriage return and form feed). It scans the line
 * itself rather than through a {@link StringTokenizer}, which looks every char up in its
 * delimiter string and is an object per line.
 *
 * <p>The char loops are methods of their own, so that {@link #map}'s only loop is the one per
 * token: the JIT counts a loop's iterations against the method it is written in, and a method
 * that loops once per char reaches the count that compiles it again on the stack (OSR) long
 * before enough calls compile it whole, so the emit path it inlines was compiled two or three
 * times over.
 */
public class TokenizerMapper implements Mapper<Long, String, String, Long> {
  private static final Long ONE = 1L;

  @Override
  public void map(Long offset, String line, Context<String, Long> context) {
    int n = line.length();
    int start = skipDelimiters(line, 0, n);
    while (start < n) {
      int end = tokenEnd(line, start, n);
      context.emit(line.substring(start, end), ONE);
      start = skipDelimiters(line, end, n);
    }
  }

  /** The index of the first char at or after {@code i} that is not a delimiter, or {@code n}. */
  static int skipDelimiters(String line, int i, int n) {
    while (i < n && isDelimiter(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index of the first delimiter at or after {@code i}, or {@code n}. */
  static int tokenEnd(String line, int i, int n) {
    while (i < n && !isDelimiter(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /** StringTokenizer's default delimiters: " \t\n\r\f". */
  static boolean isDelimiter(char c) {
    return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
  }
}
