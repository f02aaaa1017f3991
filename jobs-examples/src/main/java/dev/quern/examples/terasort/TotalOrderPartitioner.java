package dev.quern.examples.terasort;

import dev.quern.api.Configurable;
import dev.quern.api.Configuration;
import dev.quern.api.Partitioner;
import java.util.Arrays;

/**
 * Sends keys below the first cut point to partition 0, keys in {@code [cut[i-1], cut[i])} to
 * partition i, so every partition's keys sort before the next one's. The cut points come from
 * {@value #CUT_POINTS}: hex keys, comma-separated, ascending, one fewer than the reduce tasks.
 */
public class TotalOrderPartitioner implements Partitioner<byte[]>, Configurable {
  public static final String CUT_POINTS = "terasort.cut-points";

  private byte[][] cuts = new byte[0][];
  // The cut points' first 8 bytes, zero-padded: most keys are placed without a byte compare.
  private long[] cutPrefixes = new long[0];

  @Override
  public void configure(Configuration conf) {
    String list = conf.get(CUT_POINTS, "").trim();
    cuts = list.isEmpty() ? new byte[0][]
        : Arrays.stream(list.split(",")).map(s -> TeraRecords.unhex(s.trim()))
            .toArray(byte[][]::new);
    for (int i = 1; i < cuts.length; i++) {
      if (Arrays.compareUnsigned(cuts[i - 1], cuts[i]) > 0) {
        throw new IllegalArgumentException(CUT_POINTS + " are not in ascending order at " + i);
      }
    }
    cutPrefixes = Arrays.stream(cuts).mapToLong(TotalOrderPartitioner::prefix).toArray();
  }

  private static long prefix(byte[] b) {
    long p = 0;
    for (int i = 0; i < 8; i++) {
      p = (p << 8) | (i < b.length ? b[i] & 0xff : 0);
    }
    return p;
  }

  @Override
  public int partition(byte[] key, int partitions) {
    if (partitions != cuts.length + 1) {
      throw new IllegalStateException("the job has " + partitions + " reduce tasks, but "
          + CUT_POINTS + " holds " + cuts.length + " cut points (needs " + (partitions - 1) + ")");
    }
    // Upper bound: the number of cut points <= key.
    long keyPrefix = prefix(key);
    int lo = 0;
    int hi = cuts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(cutPrefixes[mid], keyPrefix);
      if (c == 0) {
        c = Arrays.compareUnsigned(cuts[mid], key);
      }
      if (c <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
