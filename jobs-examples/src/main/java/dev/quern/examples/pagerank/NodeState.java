package dev.quern.examples.pagerank;

/**
 * A node between rounds, as stored in the binary files that chain the jobs: its rank and its
 * distinct out-links, sorted. A rank of NaN means "not yet ranked": the first round starts every
 * node at 1/N.
 */
public record NodeState(double rank, String[] links) {}
