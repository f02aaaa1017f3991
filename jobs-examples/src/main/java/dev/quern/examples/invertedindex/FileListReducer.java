package dev.quern.examples.invertedindex;

import dev.quern.api.Context;
import dev.quern.api.Reducer;
import java.util.TreeSet;

/**
 * Writes each word with the sorted, comma-separated names of the files that contain it:
 * {@code ("tide", [b.txt, a.txt, b.txt])} becomes {@code ("tide", "a.txt,b.txt")}. The set is as
 * large as the number of distinct input files, never the number of occurrences.
 */
public class FileListReducer implements Reducer<String, String, String, String> {
  @Override
  public void reduce(String word, Iterable<String> files, Context<String, String> context) {
    TreeSet<String> distinct = new TreeSet<>();
    for (String f : files) {
      distinct.add(f);
    }
    context.emit(word, String.join(",", distinct));
  }
}
