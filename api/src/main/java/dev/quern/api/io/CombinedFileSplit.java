package dev.quern.api.io;

import java.util.List;

/**
 * Several whole files, or pieces of files, read by one map task one after the other, as Hadoop's
 * {@code CombineFileSplit}: made by {@link CombinedSplits} so that many small files do not cost
 * a task each. A reader of a {@link CombineTextInputFormat} job reads the parts in order; each
 * record's key is still its byte offset within its own file.
 *
 * <pre>{@code
 * InputSplit s = new CombinedFileSplit(List.of(
 *     new FileSplit("/logs/a.txt", 0, 4096, List.of()),
 *     new FileSplit("/logs/b.txt", 0, 3000, List.of())));
 * }</pre>
 *
 * @param parts the byte ranges, in reading order; at least one
 */
public record CombinedFileSplit(List<FileSplit> parts) implements InputSplit {

  public CombinedFileSplit {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a combined split needs at least one part");
    }
  }

  @Override
  public long length() {
    long n = 0;
    for (FileSplit p : parts) {
      n += p.length();
    }
    return n;
  }

  /**
   * Every part, e.g. {@code 2 files, 7096 bytes: /logs/a.txt:0+4096, /logs/b.txt:0+3000}, so
   * that a failed task names all it read.
   */
  @Override
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(parts.size()).append(parts.size() == 1 ? " file, " : " files, ").append(length())
        .append(" bytes: ");
    for (int i = 0; i < parts.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(parts.get(i).describe());
    }
    return b.toString();
  }
}
