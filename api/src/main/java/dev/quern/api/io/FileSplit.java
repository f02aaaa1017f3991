package dev.quern.api.io;

import java.util.List;

/**
 * The byte range {@code [start, start + length)} of one file.
 *
 * <pre>{@code
 * FileSplit first = new FileSplit("/data/a.txt", 0, 1024, List.of());
 * }</pre>
 */
public record FileSplit(String path, long start, long length, List<String> hosts)
    implements InputSplit {

  public FileSplit {
    if (start < 0 || length < 0) {
      throw new IllegalArgumentException("bad split " + path + ":" + start + "+" + length);
    }
    hosts = List.copyOf(hosts);
  }

  public long end() {
    return start + length;
  }

  @Override
  public String describe() {
    return path + ":" + start + "+" + length;
  }
}
