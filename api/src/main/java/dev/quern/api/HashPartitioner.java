package dev.quern.api;

/**
 * The default partitioner: {@code key.hashCode()} modulo the number of partitions, as in Hadoop.
 *
 * <p>Example: with 4 reduce tasks, the key {@code "a"} (hash 97) goes to partition 1.
 */
public final class HashPartitioner<K> implements Partitioner<K> {
  @Override
  public int partition(K key, int partitions) {
    return (key.hashCode() & Integer.MAX_VALUE) % partitions;
  }
}
