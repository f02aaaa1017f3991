package dev.quern.examples.pagerank;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.TaskCounter;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.binary.BinaryInputFormat;
import dev.quern.api.io.binary.BinaryOutputFormat;
import dev.quern.examples.Drivers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

/**
 * PageRank by iteration: {@code pagerank EDGES OUT [ROUNDS]} reads an edge list ({@code src dst}
 * lines, see {@link EdgeInputFormat}) and writes {@code node<TAB>rank} lines, sorted by node id
 * (UTF-8 byte order), into one part file.
 *
 * <p>The graph's nodes are every id that appears on either side of an edge, N of them; duplicate
 * edges count once. Ranks start at 1/N, and each of ROUNDS rounds (default {@value
 * #DEFAULT_ROUNDS}) computes, with damping d = {@value #DEFAULT_DAMPING}:
 *
 * <pre>
 *   r'(v) = (1 - d) / N  +  d * ( sum over edges u->v of r(u) / out(u)  +  D / N )
 * </pre>
 *
 * where out(u) is u's number of distinct out-links and D the sum of r(u) over the dangling
 * nodes (out(u) = 0): their rank is spread evenly over all nodes, so the ranks always sum to 1.
 *
 * <p>Jobs: one builds each node's out-links, one per round updates the ranks, a last one writes
 * the text. They hand over through {@link BinaryOutputFormat}/{@link BinaryInputFormat} files in
 * a hidden temporary directory next to OUT ({@code .pagerank-*}), removed at the end whatever
 * happens.
 */
public final class PageRank {
  public static final int DEFAULT_ROUNDS = 10;
  public static final double DEFAULT_DAMPING = 0.85;

  /** The damping factor d, default {@value #DEFAULT_DAMPING}. */
  public static final String DAMPING = "pagerank.damping";

  /** The number of nodes N; the driver sets it after the first job. */
  public static final String NODES = "pagerank.nodes";

  static final String USAGE = "pagerank EDGES OUT [ROUNDS]";

  private PageRank() {}

  public static void main(String[] args) throws Exception {
    String edges;
    String output;
    int rounds = DEFAULT_ROUNDS;
    if (args.length == 0) {
      Path base = Files.createTempDirectory("quern-pagerank-");
      edges = extractSample(base.resolve("input")).toString();
      output = base.resolve("output").toString();
      System.out.println("pagerank: no arguments, so running on the built-in sample: pagerank "
          + edges + " " + output + " " + rounds);
    } else if (args.length == 2 || args.length == 3) {
      edges = args[0];
      output = args[1];
      if (args.length == 3) {
        rounds = parseRounds(args[2]);
      }
    } else {
      throw new IllegalArgumentException("usage: " + USAGE);
    }
    long nodes = run(edges, output, rounds, Map.of());
    System.out.println("pagerank: " + nodes + " nodes, " + rounds + " rounds; output in "
        + output);
  }

  /**
   * Runs all jobs; returns the number of nodes. {@code extra} adds configuration to every job
   * (e.g. a split size, or {@value #DAMPING}).
   */
  public static long run(String edges, String output, int rounds, Map<String, String> extra)
      throws InterruptedException, IOException {
    if (rounds < 0) {
      throw new IllegalArgumentException("pagerank: ROUNDS must be 0 or more, got " + rounds);
    }
    // The chained jobs' state lives beside the output, on its filesystem (local or hdfs://).
    Configuration conf = Configuration.of(extra);
    FileSystem fs = FileSystems.get(output, conf);
    String parent = OutputPaths.parent(output);
    fs.mkdirs(parent);
    String temp = OutputPaths.join(parent,
        ".pagerank-" + Long.toUnsignedString(new SecureRandom().nextLong(), 36));
    try {
      String state = OutputPaths.join(temp, "state-00");
      JobStatus init = Drivers.run(adjacencyJob(edges, state, extra));
      long nodes = init.counters().get(TaskCounter.OUTPUT_RECORDS);
      if (nodes == 0) {
        throw new IllegalArgumentException("pagerank: no edges in " + edges);
      }
      for (int round = 1; round <= rounds; round++) {
        String next = OutputPaths.join(temp, String.format("state-%02d", round));
        Drivers.run(rankJob(state, next, round, nodes, extra));
        delete(fs, state);
        state = next;
      }
      Drivers.run(textJob(state, output, nodes, extra));
      return nodes;
    } finally {
      delete(fs, temp);
    }
  }

  public static Job adjacencyJob(String edges, String state, Map<String, String> extra) {
    return Job.builder("pagerank-links")
        .input(edges)
        .output(state)
        .inputFormat(EdgeInputFormat.class)
        .outputFormat(BinaryOutputFormat.class)
        .mapper(AdjacencyMapper.class)
        .reducer(AdjacencyReducer.class)
        .mapOutput(String.class, String.class)
        .output(String.class, NodeState.class)
        .reduceTasks(2)
        .configure(BinaryOutputFormat.classes(String.class, NodeState.class))
        .configure(extra)
        .build();
  }

  public static Job rankJob(String state, String next, int round, long nodes,
      Map<String, String> extra) {
    return Job.builder("pagerank-round-" + round)
        .input(state)
        .output(next)
        .inputFormat(BinaryInputFormat.class)
        .outputFormat(BinaryOutputFormat.class)
        .mapper(RankMapper.class)
        .reducer(RankReducer.class)
        .partitioner(RankPartitioner.class)
        .mapOutput(String.class, RankMessage.class)
        .output(String.class, NodeState.class)
        .reduceTasks(2)
        .configure(BinaryInputFormat.expect(String.class, NodeState.class))
        .configure(BinaryOutputFormat.classes(String.class, NodeState.class))
        .set(NODES, nodes)
        .configure(extra)
        .build();
  }

  /** One reduce task, so the single part file is sorted by node. */
  public static Job textJob(String state, String output, long nodes, Map<String, String> extra) {
    return Job.builder("pagerank-output")
        .input(state)
        .output(output)
        .inputFormat(BinaryInputFormat.class)
        .mapper(RankTextMapper.class)
        .mapOutput(String.class, Double.class)
        .reduceTasks(1)
        .configure(BinaryInputFormat.expect(String.class, NodeState.class))
        .set(NODES, nodes)
        .configure(extra)
        .build();
  }

  static long nodes(Configuration conf) {
    long n = conf.getLong(NODES, 0);
    if (n <= 0) {
      throw new IllegalArgumentException("configuration entry '" + NODES
          + "' must be the (positive) number of nodes, got '" + conf.get(NODES) + "'");
    }
    return n;
  }

  static double damping(Configuration conf) {
    double d = conf.getDouble(DAMPING, DEFAULT_DAMPING);
    if (!(d >= 0 && d <= 1)) {
      throw new IllegalArgumentException("configuration entry '" + DAMPING
          + "' must be between 0 and 1, got " + d);
    }
    return d;
  }

  private static int parseRounds(String s) {
    try {
      int r = Integer.parseInt(s.trim());
      if (r >= 0) {
        return r;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new IllegalArgumentException("pagerank: ROUNDS must be a whole number >= 0, got '" + s
        + "'; usage: " + USAGE);
  }

  /** Copies the sample graph ({@code samples/pagerank/edges.txt} in the jar) into {@code dir}. */
  static Path extractSample(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = PageRank.class.getResourceAsStream("/samples/pagerank/edges.txt")) {
      if (in == null) {
        throw new IOException("sample pagerank/edges.txt is missing from the examples jar");
      }
      Files.copy(in, dir.resolve("edges.txt"));
    }
    return dir;
  }

  private static void delete(FileSystem fs, String dir) {
    try {
      fs.delete(dir);
    } catch (IOException e) {
      System.err.println("pagerank: could not remove temporary directory " + dir + ": " + e);
    }
  }
}
