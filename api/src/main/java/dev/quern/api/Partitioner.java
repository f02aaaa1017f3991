package dev.quern.api;

/**
 * Chooses the reduce task of an intermediate key.
 *
 * <p>Every record with the same key must go to the same partition. The default is
 * {@link HashPartitioner}. A total-order job (TeraSort) supplies a partitioner built from sampled
 * keys so that partition {@code i}'s keys all sort before partition {@code i+1}'s.
 *
 * <pre>{@code
 * public class FirstLetterPartitioner implements Partitioner<String> {
 *   public int partition(String key, int partitions) {
 *     return key.isEmpty() ? 0 : Character.toLowerCase(key.charAt(0)) % partitions;
 *   }
 * }
 * }</pre>
 *
 * <p>A partitioner that needs the job's configuration implements {@link Configurable}.
 *
 * @param <K> the intermediate key type
 */
@FunctionalInterface
public interface Partitioner<K> {

  /** Returns a partition in {@code [0, partitions)}. */
  int partition(K key, int partitions);
}
