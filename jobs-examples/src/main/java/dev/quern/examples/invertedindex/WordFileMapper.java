package dev.quern.examples.invertedindex;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/** Emits {@code (word, fileName)} for every word of a line read by {@link FileNameInputFormat}. */
public class WordFileMapper implements Mapper<String, String, String, String> {
  @Override
  public void map(String fileName, String line, Context<String, String> context) {
    for (String word : Words.of(line)) {
      context.emit(word, fileName);
    }
  }
}
