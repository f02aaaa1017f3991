package dev.quern.master.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Reads the {@code word<TAB>1} lines a map-only word count writes. */
final class MapOnly {
  private MapOnly() {}

  static Map<String, Long> sumCounts(Path output) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (Path f : WordCount.partFiles(output)) {
      for (String line : Files.readAllLines(f)) {
        String[] kv = line.split("\t");
        counts.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
      }
    }
    return counts;
  }
}
