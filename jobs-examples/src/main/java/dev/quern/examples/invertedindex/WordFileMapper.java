package dev.quern.examples.invertedindex;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;
import java.nio.file.Path;

/**
 * Emits {@code (word, fileName)} for every word of a line; the file's name (not its directory)
 * comes from the task's split, e.g. {@code a.txt} for every line of {@code /data/docs/a.txt}.
 */
public class WordFileMapper implements Mapper<Long, String, String, String> {
  private String fileName;

  @Override
  public void setup(Context<String, String> context) {
    if (!(context.inputSplit() instanceof FileSplit split)) {
      throw new IllegalStateException("the inverted index reads files, but task "
          + context.attemptId() + " reads " + context.inputSplit());
    }
    fileName = Path.of(split.path()).getFileName().toString();
  }

  @Override
  public void map(Long offset, String line, Context<String, String> context) {
    for (String word : Words.of(line)) {
      context.emit(word, fileName);
    }
  }
}
