package dev.quern.examples.pagerank;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Reducer;

/**
 * A rank round's reduce: first the task's dangling key, whose values sum to the whole graph's
 * dangling mass D (every map task sent its part to every reduce task), then each node, whose new
 * rank is {@code (1 - d) / N + d * (S + D / N)}, S the sum of the shares its in-links sent.
 */
public class RankReducer implements Reducer<String, RankMessage, String, NodeState> {
  private double damping;
  private long nodes;
  private double danglingMass;
  private boolean danglingSeen;

  @Override
  public void setup(Context<String, NodeState> context) {
    Configuration conf = context.configuration();
    damping = PageRank.damping(conf);
    nodes = PageRank.nodes(conf);
  }

  @Override
  public void reduce(String key, Iterable<RankMessage> messages,
      Context<String, NodeState> context) {
    if (Nodes.isDangling(key)) {
      for (RankMessage m : messages) {
        danglingMass += m.mass();
      }
      danglingSeen = true;
      return;
    }
    if (!danglingSeen) {
      throw new IllegalStateException("node '" + key + "' arrived before the dangling mass in "
          + context.attemptId() + ": reserved keys must sort first");
    }
    double shares = 0;
    String[] links = null;
    for (RankMessage m : messages) {
      if (m.links() != null) {
        links = m.links();
      } else {
        shares += m.mass();
      }
    }
    if (links == null) {
      throw new IllegalStateException("node '" + key + "' got rank but has no state in "
          + context.attemptId());
    }
    double rank = (1 - damping) / nodes + damping * (shares + danglingMass / nodes);
    context.emit(key, new NodeState(rank, links));
  }
}
