package dev.quern.api;

/**
 * Folds all values of one key (one group, under the grouping comparator) into output records.
 *
 * <p>The same interface serves as a combiner: a combiner runs on map output before the shuffle,
 * possibly several times or not at all, so it must emit its own input types and compute an
 * associative, commutative fold. The values arrive as a stream: iterate them once; a key with
 * millions of values never sits in memory whole. The objects the iterator returns may be reused,
 * so copy a value you keep past the next call to {@code next()}.
 *
 * <pre>{@code
 * public class SumReducer implements Reducer<String, Long, String, Long> {
 *   public void reduce(String word, Iterable<Long> counts, Context<String, Long> ctx) {
 *     long sum = 0;
 *     for (long c : counts) sum += c;
 *     ctx.emit(word, sum);
 *   }
 * }
 * }</pre>
 *
 * @param <K> input key type
 * @param <V> input value type
 * @param <KO> output key type
 * @param <VO> output value type
 */
public interface Reducer<K, V, KO, VO> {

  /** Called once before the first group of the task. */
  default void setup(Context<KO, VO> context) throws Exception {}

  /** Called once per key group, with the group's first key and a single-pass view of its values. */
  void reduce(K key, Iterable<V> values, Context<KO, VO> context) throws Exception;

  /** Called once after the last group of the task. */
  default void cleanup(Context<KO, VO> context) throws Exception {}
}
