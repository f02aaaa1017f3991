package dev.quern.examples.pagerank;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/**
 * A rank round's map: sends each node its own links, and each out-link an equal share of the
 * node's rank. A dangling node (no out-links) adds its rank to this task's dangling mass, which
 * {@link #cleanup} sends once to every reduce task under its reserved key (see {@link Nodes}).
 */
public class RankMapper implements Mapper<String, NodeState, String, RankMessage> {
  private double initial;
  private double dangling;

  @Override
  public void setup(Context<String, RankMessage> context) {
    initial = 1.0 / PageRank.nodes(context.configuration());
  }

  @Override
  public void map(String node, NodeState state, Context<String, RankMessage> context) {
    double rank = Double.isNaN(state.rank()) ? initial : state.rank();
    context.emit(node, RankMessage.structure(state.links()));
    if (state.links().length == 0) {
      dangling += rank;
      return;
    }
    RankMessage share = RankMessage.mass(rank / state.links().length);
    for (String link : state.links()) {
      context.emit(link, share);
    }
  }

  @Override
  public void cleanup(Context<String, RankMessage> context) {
    RankMessage mass = RankMessage.mass(dangling);
    for (int p = 0; p < context.reduceTasks(); p++) {
      context.emit(Nodes.danglingKey(p), mass);
    }
  }
}
