package dev.quern.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads a finished job's output directory: its part files in name order, line by line. */
final class JobOutput {
  private JobOutput() {}

  static List<Path> partFiles(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    }
  }

  /** Every line of every part file, in file order. */
  static List<String> lines(Path out) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path p : partFiles(out)) {
      lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
    }
    return lines;
  }

  /** Splits {@code key<TAB>value} at the last tab. */
  static String[] keyValue(String line) {
    int tab = line.lastIndexOf('\t');
    if (tab < 0) {
      throw new AssertionError("output line without a tab: '" + line + "'");
    }
    return new String[] {line.substring(0, tab), line.substring(tab + 1)};
  }
}
