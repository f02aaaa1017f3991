package dev.quern.examples.pagerank;

/**
 * What a rank round's mappers send a node: either its own out-links ({@code links} non-null,
 * so the reducer can write the node's next state) or a share of rank mass ({@code links} null).
 * On a dangling key, the mass is a map task's sum of dangling ranks.
 */
public record RankMessage(double mass, String[] links) {
  static RankMessage structure(String[] links) {
    return new RankMessage(0, links);
  }

  static RankMessage mass(double mass) {
    return new RankMessage(mass, null);
  }
}
