package dev.quern.cli;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.Mapper;
import dev.quern.api.Reducer;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A job whose input format makes splits of its own class ({@link Range}): the numbers {@code [0,
 * N)} cut into {@code MAPS} ranges, summed by their remainder modulo 7. Built into a job jar by
 * the test, its classes exist on a cluster only in that jar: the masters carry the splits as
 * bytes and the workers read them with the job's class loader.
 *
 * <p>{@code NumberRanges N MAPS OUT}: exits 0 only when the job succeeded.
 */
public final class NumberRanges {
  static final String COUNT = "test.ranges.count";
  static final String MAPS = "test.ranges.maps";

  private NumberRanges() {}

  public static void main(String[] args) throws Exception {
    String out = args[2];
    JobStatus s = Job.builder("number-ranges")
        // The ranges need no input; the engine wants an existing path: the output's parent.
        .input(java.nio.file.Path.of(out).toAbsolutePath().getParent().toString())
        .output(out)
        .inputFormat(Ranges.class)
        .mapper(ByRemainder.class)
        .combiner(Sum.class)
        .reducer(Sum.class)
        .mapOutput(String.class, Long.class)
        .output(String.class, Long.class)
        .reduceTasks(2)
        .set(COUNT, Long.parseLong(args[0]))
        .set(MAPS, Long.parseLong(args[1]))
        .build()
        .waitForCompletion();
    System.out.println("number-ranges " + s.id() + " " + s.state());
    if (!s.succeeded()) {
      System.err.println("number-ranges failed: " + s.failure());
      System.exit(1);
    }
  }

  /** The numbers {@code [from, to)}. */
  public record Range(long from, long to) implements InputSplit {
    @Override
    public long length() {
      return (to - from) * Long.BYTES;
    }

    @Override
    public String describe() {
      return "numbers " + from + ".." + to;
    }
  }

  public static final class Ranges implements InputFormat<Long, Long> {
    @Override
    public List<InputSplit> splits(List<String> inputPaths, Configuration conf) {
      long n = conf.getLong(COUNT, -1);
      int maps = conf.getInt(MAPS, 1);
      List<InputSplit> out = new ArrayList<>();
      for (int i = 0; i < maps; i++) {
        out.add(new Range(n * i / maps, n * (i + 1) / maps));
      }
      return out;
    }

    @Override
    public RecordReader<Long, Long> open(InputSplit split, Configuration conf) {
      if (!(split instanceof Range r)) {
        throw new IllegalArgumentException("Ranges reads Range splits, got " + split);
      }
      return new RecordReader<>() {
        private long next = r.from();
        private long current;

        @Override
        public boolean next() {
          if (next >= r.to()) {
            return false;
          }
          current = next++;
          return true;
        }

        @Override
        public Long key() {
          return current;
        }

        @Override
        public Long value() {
          return current;
        }

        @Override
        public float progress() {
          return r.to() == r.from() ? 1f : (next - r.from()) / (float) (r.to() - r.from());
        }

        @Override
        public long bytesRead() {
          return (next - r.from()) * Long.BYTES;
        }

        @Override
        public void close() {}
      };
    }
  }

  public static final class ByRemainder implements Mapper<Long, Long, String, Long> {
    @Override
    public void map(Long key, Long n, Context<String, Long> context) {
      context.emit("r" + (n % 7), n);
    }
  }

  public static final class Sum implements Reducer<String, Long, String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Context<String, Long> context) {
      long sum = 0;
      for (long v : values) {
        sum += v;
      }
      context.emit(key, sum);
    }
  }
}
