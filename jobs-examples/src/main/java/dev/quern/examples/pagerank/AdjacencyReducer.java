package dev.quern.examples.pagerank;

import dev.quern.api.Context;
import dev.quern.api.Reducer;
import java.util.TreeSet;

/**
 * First job: a node's distinct out-links, sorted, as its unranked {@link NodeState}. Duplicate
 * edges count once. Example: {@code ("a", ["b", "", "c", "b"])} becomes {@code ("a", (NaN, [b,
 * c]))}.
 */
public class AdjacencyReducer implements Reducer<String, String, String, NodeState> {
  @Override
  public void reduce(String node, Iterable<String> dsts, Context<String, NodeState> context) {
    TreeSet<String> links = new TreeSet<>();
    for (String d : dsts) {
      if (!d.isEmpty()) {
        links.add(d);
      }
    }
    context.emit(node, new NodeState(Double.NaN, links.toArray(new String[0])));
  }
}
