package dev.quern.examples.pagerank;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/** Last job: a node's final rank, for the {@code node<TAB>rank} text output. */
public class RankTextMapper implements Mapper<String, NodeState, String, Double> {
  private double initial;

  @Override
  public void setup(Context<String, Double> context) {
    initial = 1.0 / PageRank.nodes(context.configuration());
  }

  @Override
  public void map(String node, NodeState state, Context<String, Double> context) {
    context.emit(node, Double.isNaN(state.rank()) ? initial : state.rank());
  }
}
