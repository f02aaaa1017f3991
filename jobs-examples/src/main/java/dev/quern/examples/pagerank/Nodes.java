package dev.quern.examples.pagerank;

/**
 * The keys of the rank jobs: node ids, plus one reserved key per reduce task that carries the
 * rank mass of dangling nodes. Reserved keys start with a zero character, which no node id does,
 * so they sort (as UTF-8 bytes) before every node: a reduce task reads its dangling mass before
 * its first node.
 */
final class Nodes {
  private static final String DANGLING = "\0dangling-";

  private Nodes() {}

  /** A node id is a non-empty token that does not start with a zero character. */
  static boolean validId(String id) {
    return !id.isEmpty() && id.charAt(0) != '\0';
  }

  /** The reserved key that {@link RankPartitioner} sends to reduce task {@code partition}. */
  static String danglingKey(int partition) {
    return DANGLING + partition;
  }

  static boolean isDangling(String key) {
    return key.startsWith(DANGLING);
  }

  static int danglingPartition(String key) {
    return Integer.parseInt(key.substring(DANGLING.length()));
  }
}
