package dev.quern.examples.pagerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.quern.api.io.FileInputFormat;
import dev.quern.examples.CurrentLocalCluster;
import dev.quern.examples.ExampleFailedException;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PageRank on a local cluster with 2 workers against a straightforward in-memory power iteration
 * over the same edge list.
 */
@ExtendWith(Seeds.class)
class PageRankEndToEndTest {
  @RegisterExtension static final CurrentLocalCluster CLUSTER = new CurrentLocalCluster(2);

  @TempDir Path dir;


  @Test
  void ranksEqualAnInMemoryPowerIterationAndSumToOne(Seed seed) throws Exception {
    Path edges = writeRandomGraph(dir.resolve("edges"), seed.random());
    Path out = dir.resolve("results").resolve("out");
    long nodes = PageRank.run(edges.toString(), out.toString(), 10,
        Map.of(FileInputFormat.SPLIT_SIZE, "4k"));

    Map<String, Double> expected = powerIteration(readEdges(edges), 10, 0.85);
    Map<String, Double> actual = readRanks(out);
    assertThat(nodes).isEqualTo(expected.size());
    assertRanks(actual, expected);
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .as("intermediate directories are removed").containsExactly("out");
    }
  }

  @Test
  void driverRunsOnTheBuiltInSampleWithTheDefaultRounds() throws Exception {
    Path edges = PageRank.extractSample(dir.resolve("sample"));
    Path out = dir.resolve("out");
    PageRank.main(new String[] {edges.toString(), out.toString()});
    Map<String, Double> expected = powerIteration(readEdges(edges), 10, 0.85);
    assertRanks(readRanks(out), expected);
    assertThat(expected).containsKeys("press", "archive", "home");
  }

  @Test
  void zeroRoundsGivesTheStartingRanks() throws Exception {
    Path edges = Files.createDirectories(dir.resolve("edges"));
    Files.writeString(edges.resolve("e.txt"), "a b\nb c\n");
    Path out = dir.resolve("out");
    PageRank.main(new String[] {edges.toString(), out.toString(), "0"});
    assertThat(readRanks(out)).containsOnlyKeys("a", "b", "c")
        .allSatisfy((node, rank) -> assertThat(rank).isCloseTo(1.0 / 3, within(1e-15)));
  }

  @Test
  void aBadEdgeLineFailsNamingFileAndOffset() throws Exception {
    Path edges = Files.createDirectories(dir.resolve("edges"));
    String good = "# comment\na b\n";
    Files.writeString(edges.resolve("e.txt"), good + "a b c\n");
    assertThatThrownBy(() -> PageRank.run(edges.toString(), dir.resolve("out").toString(), 3,
        Map.of()))
        .isInstanceOf(ExampleFailedException.class)
        .hasMessageContaining(edges.resolve("e.txt") + " at byte " + good.length());
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("edges");
    }
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> PageRank.main(new String[] {"edges"}))
        .hasMessage("usage: pagerank EDGES OUT [ROUNDS]");
    assertThatThrownBy(() -> PageRank.main(new String[] {"edges", "out", "-1"}))
        .hasMessageContaining("ROUNDS must be a whole number >= 0");
  }

  private static void assertRanks(Map<String, Double> actual, Map<String, Double> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    double sum = actual.values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(sum).as("sum of ranks").isCloseTo(1.0, within(1e-9));
    expected.forEach((node, rank) ->
        assertThat(actual.get(node)).as("rank of %s", node)
            .isCloseTo(rank, within(1e-9)));
  }

  /**
   * Several files: duplicate edges, self-loops, comments, blank lines, tabs, dangling nodes and
   * nodes that only receive links.
   */
  private static Path writeRandomGraph(Path dir, SplittableRandom rnd) throws IOException {
    Files.createDirectories(dir);
    int nodes = 500;
    for (int f = 0; f < 3; f++) {
      StringBuilder sb = new StringBuilder("# edges part " + f + "\n");
      for (int i = 0; i < 1500; i++) {
        int src = rnd.nextInt(nodes);
        if (src % 10 == 0) {
          src++; // nodes 0, 10, 20, ... never link anywhere
        }
        int dst = rnd.nextInt(5) == 0 ? rnd.nextInt(20) : rnd.nextInt(nodes + 50);
        sb.append("n").append(src).append(rnd.nextBoolean() ? " " : "\t").append("n")
            .append(dst).append("\n");
        if (rnd.nextInt(100) == 0) {
          sb.append("\n");
        }
      }
      Files.writeString(dir.resolve("part-" + f + ".txt"), sb, StandardCharsets.UTF_8);
    }
    return dir;
  }

  private static List<String[]> readEdges(Path dir) throws IOException {
    List<String[]> edges = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          String s = line.strip();
          if (!s.isEmpty() && !s.startsWith("#")) {
            edges.add(s.split("\\s+"));
          }
        }
      }
    }
    return edges;
  }

  /** The formula of {@link PageRank}, over arrays, in one thread. */
  static Map<String, Double> powerIteration(List<String[]> edges, int rounds, double d) {
    Map<String, TreeSet<String>> links = new TreeMap<>();
    for (String[] e : edges) {
      links.computeIfAbsent(e[0], k -> new TreeSet<>()).add(e[1]);
      links.computeIfAbsent(e[1], k -> new TreeSet<>());
    }
    List<String> names = new ArrayList<>(links.keySet());
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    int n = names.size();
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = links.get(names.get(i)).stream().mapToInt(index::get).toArray();
    }
    double[] rank = new double[n];
    Arrays.fill(rank, 1.0 / n);
    for (int r = 0; r < rounds; r++) {
      double[] in = new double[n];
      double dangling = 0;
      for (int u = 0; u < n; u++) {
        if (out[u].length == 0) {
          dangling += rank[u];
        }
        for (int v : out[u]) {
          in[v] += rank[u] / out[u].length;
        }
      }
      for (int v = 0; v < n; v++) {
        in[v] = (1 - d) / n + d * (in[v] + dangling / n);
      }
      rank = in;
    }
    Map<String, Double> result = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      result.put(names.get(i), rank[i]);
    }
    return result;
  }

  /** The output: one part file, {@code node<TAB>rank} lines in node (UTF-8 byte) order. */
  private static Map<String, Double> readRanks(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    List<Path> parts;
    try (Stream<Path> s = Files.list(out)) {
      parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
    }
    assertThat(parts).hasSize(1);
    Map<String, Double> ranks = new LinkedHashMap<>();
    byte[] previous = null;
    for (String line : Files.readAllLines(parts.get(0), StandardCharsets.UTF_8)) {
      String[] kv = line.split("\t");
      assertThat(kv).as(line).hasSize(2);
      byte[] key = kv[0].getBytes(StandardCharsets.UTF_8);
      if (previous != null) {
        assertThat(Arrays.compareUnsigned(previous, key)).as("sorted at %s", kv[0]).isNegative();
      }
      previous = key;
      ranks.put(kv[0], Double.parseDouble(kv[1]));
    }
    return ranks;
  }
}
