package bench.skew;

import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import java.util.StringTokenizer;

/**
 * Counts words with no combiner, so every word reaches a reducer as a record: a key carrying half
 * the records arrives as one group of that many values. Run with {@code quern submit JAR
 * bench.skew.SkewCount IN OUT [REDUCES]}.
 */
public final class SkewCount {
  private SkewCount() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: SkewCount IN OUT [REDUCES]");
    }
    Job job = Job.builder("skewcount").input(args[0]).output(args[1])
        .mapper(WordMapper.class).reducer(CountReducer.class)
        .mapOutput(String.class, Long.class)
        .reduceTasks(args.length > 2 ? Integer.parseInt(args[2]) : 8).build();
    JobStatus status = job.waitForCompletion();
    if (!status.succeeded()) {
      throw new IllegalStateException("skewcount " + status.state() + ": " + status.failure());
    }
  }

  public static final class WordMapper implements Mapper<Long, String, String, Long> {
    private static final Long ONE = 1L;

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      StringTokenizer words = new StringTokenizer(line);
      while (words.hasMoreTokens()) {
        ctx.emit(words.nextToken(), ONE);
      }
    }
  }

  /** Iterates every value of a group (as a reducer without a combiner must), keeping none. */
  public static final class CountReducer implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String word, Iterable<Long> counts, Context<String, Long> ctx) {
      long n = 0;
      for (Long c : counts) {
        n += c;
      }
      ctx.emit(word, n);
    }
  }
}
