package dev.quern.examples.join;

import dev.quern.api.Partitioner;

/**
 * Sends a key to a reduce task by its customer id only, so a customer's row and its orders (same
 * id, different tags) meet in one task.
 */
public class CustomerPartitioner implements Partitioner<JoinKey> {
  @Override
  public int partition(JoinKey key, int partitions) {
    return (key.customerId().hashCode() & Integer.MAX_VALUE) % partitions;
  }
}
