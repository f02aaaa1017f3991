package dev.quern.master.local;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The word count used by the cluster tests, its input generator and its independent check. */
final class WordCount {
  private WordCount() {}

  public static class TokenizerMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      for (String w : line.split("\\s+")) {
        if (!w.isEmpty()) {
          ctx.emit(w, 1L);
        }
      }
    }
  }

  public static class SumReducer implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String word, Iterable<Long> counts, Context<String, Long> ctx) {
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      ctx.emit(word, sum);
    }
  }

  static Job.Builder job(String name, Path input, Path output) {
    return Job.builder(name)
        .input(input.toString())
        .output(output.toString())
        .mapper(TokenizerMapper.class)
        .combiner(SumReducer.class)
        .reducer(SumReducer.class)
        .mapOutput(String.class, Long.class);
  }

  /** Writes {@code files} files of random words from a small vocabulary; returns the input dir. */
  static Path writeInput(Path dir, long seed, int files, int linesPerFile) throws IOException {
    Random rnd = new Random(seed);
    Files.createDirectories(dir);
    for (int f = 0; f < files; f++) {
      StringBuilder sb = new StringBuilder();
      for (int l = 0; l < linesPerFile; l++) {
        int words = rnd.nextInt(8);
        for (int w = 0; w < words; w++) {
          sb.append(w == 0 ? "" : " ").append("w").append(Integer.toString(rnd.nextInt(300), 36));
        }
        sb.append('\n');
      }
      Files.writeString(dir.resolve("in-" + f + ".txt"), sb);
    }
    return dir;
  }

  /** Counts the words of every file under {@code input} without the engine. */
  static Map<String, Long> expected(Path input) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(input)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          for (String w : line.split("\\s+")) {
            if (!w.isEmpty()) {
              counts.merge(w, 1L, Long::sum);
            }
          }
        }
      }
    }
    return counts;
  }

  /** Reads {@code word<TAB>count} lines of every part file; fails on a word seen twice. */
  static Map<String, Long> readOutput(Path output) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (Path f : partFiles(output)) {
      for (String line : Files.readAllLines(f)) {
        String[] kv = line.split("\t");
        Long previous = counts.put(kv[0], Long.parseLong(kv[1]));
        if (previous != null) {
          throw new AssertionError("word " + kv[0] + " appears twice in " + output);
        }
      }
    }
    return counts;
  }

  static List<Path> partFiles(Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(output)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith("part-"))
          .sorted().toList());
    }
  }
}
