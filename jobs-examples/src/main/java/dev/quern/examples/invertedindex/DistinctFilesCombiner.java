package dev.quern.examples.invertedindex;

import dev.quern.api.Context;
import dev.quern.api.Reducer;
import java.util.TreeSet;

/**
 * Drops repeated file names of a word on the map side: {@code ("tide", [a.txt, a.txt])} becomes
 * {@code ("tide", a.txt)}. A map task reads one file, so the set holds one or two names.
 */
public class DistinctFilesCombiner implements Reducer<String, String, String, String> {
  @Override
  public void reduce(String word, Iterable<String> files, Context<String, String> context) {
    TreeSet<String> distinct = new TreeSet<>();
    for (String f : files) {
      distinct.add(f);
    }
    for (String f : distinct) {
      context.emit(word, f);
    }
  }
}
