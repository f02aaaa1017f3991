package dev.quern.examples.invertedindex;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import dev.quern.api.io.FileSplit;

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
    fileName = name(split.path());
  }

  @Override
  public void map(Long offset, String line, Context<String, String> context) {
    for (String word : Words.of(line)) {
      context.emit(word, fileName);
    }
  }

  /** The last component of a local path or a URI ({@code hdfs://nn:8020/in/a.txt}: a.txt). */
  static String name(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(Math.max(p.lastIndexOf('/'), p.lastIndexOf(java.io.File.separatorChar))
        + 1);
  }
}
