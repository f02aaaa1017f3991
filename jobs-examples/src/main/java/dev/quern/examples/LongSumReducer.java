package dev.quern.examples;

import dev.quern.api.Context;
import dev.quern.api.Reducer;

/**
 * Sums the counts of each key; associative and commutative, so it also serves as the combiner.
 *
 * <p>Example: {@code ("the", [1, 1, 3])} becomes {@code ("the", 5)}.
 */
public class LongSumReducer implements Reducer<String, Long, String, Long> {
  @Override
  public void reduce(String key, Iterable<Long> values, Context<String, Long> context) {
    long sum = 0;
    for (Long v : values) {
      sum += v;
    }
    context.emit(key, sum);
  }
}
