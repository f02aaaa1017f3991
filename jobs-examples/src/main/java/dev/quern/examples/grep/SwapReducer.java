package dev.quern.examples.grep;

import dev.quern.api.Context;
import dev.quern.api.Reducer;

/** Turns the sort job's {@code (count, [match...])} groups back into {@code (match, count)}. */
public class SwapReducer implements Reducer<Long, String, String, Long> {
  @Override
  public void reduce(Long count, Iterable<String> matches, Context<String, Long> context) {
    for (String match : matches) {
      context.emit(match, count);
    }
  }
}
