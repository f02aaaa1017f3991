package dev.quern.worker.testjobs;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Small user classes for runner tests. */
public final class TestJobs {
  private TestJobs() {}

  /** Emits {@code skew.count} records (skew.key, 1L) for each input line. */
  public static class SkewMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      long n = ctx.configuration().getLong("skew.count", 10);
      String key = ctx.configuration().get("skew.key", "k");
      Long one = 1L;
      for (long i = 0; i < n; i++) {
        ctx.emit(key, one);
      }
    }
  }

  /** Counts values of each group without keeping them. */
  public static class CountReducer implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx) {
      long n = 0;
      long sum = 0;
      for (Long v : values) {
        n++;
        sum += v;
      }
      ctx.emit(key, sum);
      ctx.counter("test", "values").increment(n);
    }
  }

  /** "user|seq" lines in, (user|seq, seq) out: the key carries the secondary field. */
  public static class CompositeKeyMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      String[] f = line.split(",");
      ctx.emit(f[0] + "|" + f[1], Long.parseLong(f[1]));
    }
  }

  /** Groups "user|seq" keys by user only. */
  public static class UserGrouping implements Comparator<String> {
    @Override
    public int compare(String a, String b) {
      return a.substring(0, a.indexOf('|')).compareTo(b.substring(0, b.indexOf('|')));
    }
  }

  /** Emits (user, "v1,v2,...") with the values in the order they arrived. */
  public static class ListReducer implements Reducer<String, Long, String, String> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, String> ctx) {
      List<String> seen = new ArrayList<>();
      for (Long v : values) {
        seen.add(Long.toString(v));
      }
      ctx.emit(key.substring(0, key.indexOf('|')), String.join(",", seen));
    }
  }

  /** Upper-cases each line, for map-only jobs. */
  public static class UpperMapper implements Mapper<Long, String, String, String> {
    @Override
    public void map(Long offset, String line, Context<String, String> ctx) {
      ctx.counter("test", "lines").increment(1);
      ctx.emit(line.toUpperCase(java.util.Locale.ROOT), null);
    }
  }

  /** A checked exception of user code. */
  public static class BoomException extends Exception {
    public BoomException(String message) {
      super(message);
    }
  }

  /** Throws on the line that contains "boom". */
  public static class ThrowingMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws BoomException {
      if (line.contains("boom")) {
        throw new BoomException("mapper hit boom at offset " + offset);
      }
      ctx.emit(line, 1L);
    }
  }

  /** Throws on the key "boom". */
  public static class ThrowingReducer implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> ctx)
        throws BoomException {
      if (key.equals("boom")) {
        throw new BoomException("reducer hit boom");
      }
      ctx.emit(key, 1L);
    }
  }

  /** Lets a test wait until a map has started. */
  public static final CountDownLatch MAP_STARTED = new CountDownLatch(1);

  /** Emits one record per input record and opens the latch on the first. */
  public static class SignallingMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long key, String value, Context<String, Long> ctx) {
      MAP_STARTED.countDown();
      ctx.emit(value, key);
    }
  }

  /** A split that never ends. */
  public record EndlessSplit() implements InputSplit {
    @Override
    public long length() {
      return Long.MAX_VALUE;
    }

    @Override
    public String describe() {
      return "endless";
    }
  }

  /** Records (n, "r" + n % 1000) forever. */
  public static class EndlessInputFormat implements InputFormat<Long, String> {
    @Override
    public List<InputSplit> splits(List<String> inputPaths, Configuration conf) {
      return List.of(new EndlessSplit());
    }

    @Override
    public RecordReader<Long, String> open(InputSplit split, Configuration conf) {
      return new RecordReader<>() {
        private long n;

        @Override
        public boolean next() {
          n++;
          return true;
        }

        @Override
        public Long key() {
          return n;
        }

        @Override
        public String value() {
          return "r" + (n % 1000);
        }

        @Override
        public float progress() {
          return 0f;
        }

        @Override
        public long bytesRead() {
          return n;
        }

        @Override
        public void close() {}
      };
    }
  }

  /** Not a mapper at all. */
  public static class NotAMapper {}

  /** A mapper without a public no-arg constructor. */
  public static class NoDefaultCtorMapper implements Mapper<Long, String, String, Long> {
    public NoDefaultCtorMapper(int x) {}

    @Override
    public void map(Long key, String value, Context<String, Long> ctx) {}
  }

  /** Parses each line as a long key, value = the line's offset. */
  public static class LongKeyMapper implements Mapper<Long, String, Long, Long> {
    @Override
    public void map(Long offset, String line, Context<Long, Long> ctx) {
      ctx.emit(Long.parseLong(line.trim()), offset);
    }
  }

  /** Descending longs, straight from their order-preserving bytes. */
  public static class DescendingRaw implements dev.quern.api.serde.RawComparator<Long> {
    @Override
    public int compare(Long a, Long b) {
      return Long.compare(b, a);
    }

    @Override
    public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
      return -java.util.Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
    }
  }

  /** Descending longs through objects only (the engine must deserialize to compare). */
  public static class DescendingObjects implements Comparator<Long> {
    @Override
    public int compare(Long a, Long b) {
      return Long.compare(b, a);
    }
  }

  /** A job-defined key type: serialized with Kryo, ordered by its natural order. */
  public record Pair(String letter, int bucket) implements Comparable<Pair> {
    @Override
    public int compareTo(Pair o) {
      int c = letter.compareTo(o.letter);
      return c != 0 ? c : Integer.compare(bucket, o.bucket);
    }
  }

  /** A job-defined value type. */
  public record Stats(long count, long totalLength) {}

  /** Emits (first letter, length % 3) -> (1, length) per word. */
  public static class PairMapper implements Mapper<Long, String, Pair, Stats> {
    @Override
    public void map(Long offset, String line, Context<Pair, Stats> ctx) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          ctx.emit(new Pair(w.substring(0, 1), w.length() % 3), new Stats(1, w.length()));
        }
      }
    }
  }

  /** Adds up Stats; serves as combiner and reducer. */
  public static class StatsReducer implements Reducer<Pair, Stats, Pair, Stats> {
    @Override
    public void reduce(Pair key, Iterable<Stats> values, Context<Pair, Stats> ctx) {
      long n = 0;
      long len = 0;
      for (Stats s : values) {
        n += s.count();
        len += s.totalLength();
      }
      ctx.emit(key, new Stats(n, len));
    }
  }
}
