package dev.quern.examples.invertedindex;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the inverted index cuts text into words: maximal runs of letters and digits, lower-cased.
 *
 * <p>Example: {@code "Tide's out, 6 AM."} gives {@code [tide, s, out, 6, am]}.
 */
public final class Words {
  private Words() {}

  public static List<String> of(String line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && !Character.isLetterOrDigit(line.codePointAt(i))) {
        i += Character.charCount(line.codePointAt(i));
      }
      int start = i;
      while (i < n && Character.isLetterOrDigit(line.codePointAt(i))) {
        i += Character.charCount(line.codePointAt(i));
      }
      if (i > start) {
        words.add(line.substring(start, i).toLowerCase(Locale.ROOT));
      }
    }
    return words;
  }
}
