package dev.quern.worker.bench;

import dev.quern.api.serde.Serdes;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.sort.SortBuffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Sort time of one map's sort buffer holding TeraSort-shaped records (random 10-byte keys, 90-byte
 * values, 2 partitions): the packed radix path (unsigned byte order) against the comparator path
 * (the same order through a {@link KeyOrder} that does not declare byte equality). Thread CPU ms
 * per sort, best and median of the rounds.
 *
 * <p>Run: {@code java -Xmx1g -cp <test classpath> dev.quern.worker.bench.SortBufferBench
 * [records] [rounds]}
 */
public final class SortBufferBench {
  private SortBufferBench() {}

  public static void main(String[] args) {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 671_089;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    long seed = 42;
    System.out.println("records " + records + ", rounds " + rounds + ", seed " + seed);
    KeyOrder radix = KeyOrder.of(null,
        Serdes.of(byte[].class, SortBufferBench.class.getClassLoader()), byte[].class);
    KeyOrder comparator = (a, ao, al, b, bo, bl) ->
        java.util.Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
    SortBuffer buf = new SortBuffer((long) records * (100 + SortBuffer.RECORD_OVERHEAD));
    Random rnd = new Random(seed);
    byte[] k = new byte[10];
    byte[] v = new byte[90];
    for (int i = 0; i < records; i++) {
      rnd.nextBytes(k);
      rnd.nextBytes(v);
      if (!buf.add(rnd.nextInt(2), k, 10, v, 90)) {
        throw new IllegalStateException("buffer full at " + i);
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (String name : new String[] {"radix", "comparator", "radix", "comparator"}) {
      KeyOrder order = name.equals("radix") ? radix : comparator;
      long[] ms = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = mx.getCurrentThreadCpuTime();
        buf.sort(order, 2);
        ms[r] = (mx.getCurrentThreadCpuTime() - t0) / 1_000_000;
      }
      java.util.Arrays.sort(ms);
      System.out.printf("%-10s best %4d ms  median %4d ms cpu%n", name, ms[0], ms[rounds / 2]);
    }
    // The spill's read of the sorted records: a gather from random places in the buffer.
    buf.sort(radix, 2);
    byte[] block = new byte[256 * 1024];
    long[] ms = new long[rounds];
    long check = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = mx.getCurrentThreadCpuTime();
      for (int p = 0; p < 2; p++) {
        dev.quern.worker.spill.RecordStream s = buf.partition(p);
        int at = 0;
        try {
          while (s.next()) {
            if (at + 100 > block.length) {
              check += block[at / 2];
              at = 0;
            }
            System.arraycopy(s.keyBuf(), s.keyOff(), block, at, s.keyLen());
            at += s.keyLen();
            System.arraycopy(s.valBuf(), s.valOff(), block, at, s.valLen());
            at += s.valLen();
          }
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
      ms[r] = (mx.getCurrentThreadCpuTime() - t0) / 1_000_000;
    }
    java.util.Arrays.sort(ms);
    System.out.printf("%-10s best %4d ms  median %4d ms cpu (%d)%n", "gather", ms[0],
        ms[rounds / 2], check);
  }
}
