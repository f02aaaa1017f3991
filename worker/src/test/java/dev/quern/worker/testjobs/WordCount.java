package dev.quern.worker.testjobs;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import java.util.StringTokenizer;

/** The classic word count, as a job author would write it. */
public final class WordCount {
  private WordCount() {}

  public static class TokenizerMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      StringTokenizer words = new StringTokenizer(line);
      while (words.hasMoreTokens()) {
        ctx.emit(words.nextToken(), 1L);
      }
    }
  }

  public static class SumReducer implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String word, Iterable<Long> counts, Context<String, Long> ctx) {
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      ctx.emit(word, sum);
    }
  }
}
