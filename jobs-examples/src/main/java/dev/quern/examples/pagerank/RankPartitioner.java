package dev.quern.examples.pagerank;

import dev.quern.api.Partitioner;

/** Nodes by hash; a reserved dangling key to the reduce task it names (see {@link Nodes}). */
public class RankPartitioner implements Partitioner<String> {
  @Override
  public int partition(String key, int partitions) {
    if (Nodes.isDangling(key)) {
      return Nodes.danglingPartition(key);
    }
    return (key.hashCode() & Integer.MAX_VALUE) % partitions;
  }
}
