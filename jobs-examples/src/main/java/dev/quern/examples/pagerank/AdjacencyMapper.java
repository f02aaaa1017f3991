package dev.quern.examples.pagerank;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/**
 * First job: emits {@code (src, dst)} for an edge, and {@code (dst, "")} so that a node with no
 * out-links still becomes a node (the empty string is no node id).
 */
public class AdjacencyMapper implements Mapper<String, String, String, String> {
  @Override
  public void map(String src, String dst, Context<String, String> context) {
    context.emit(src, dst);
    context.emit(dst, "");
  }
}
