package dev.quern.worker.bench;

import dev.quern.api.serde.Serdes;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.sort.SortBuffer;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SortedRun;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reduce's merge of TeraSort-shaped map outputs (random 10-byte keys, 90-byte values,
 * uncompressed): thread CPU ms to read all runs through {@link MergingStream}, best and median.
 *
 * <p>Run: {@code java -Xmx1g -cp <test classpath> dev.quern.worker.bench.MergeBench [runs]
 * [recordsPerRun] [rounds]}
 */
public final class MergeBench {
  private MergeBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int perRun = args.length > 1 ? Integer.parseInt(args[1]) : 333_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    long seed = 42;
    System.out.println(runs + " runs of " + perRun + " records, seed " + seed);
    KeyOrder order = KeyOrder.of(null,
        Serdes.of(byte[].class, MergeBench.class.getClassLoader()), byte[].class);
    Path dir = Files.createTempDirectory("quern-merge-bench");
    Random rnd = new Random(seed);
    List<SortedRun> sorted = new ArrayList<>();
    byte[] k = new byte[10];
    byte[] v = new byte[90];
    for (int r = 0; r < runs; r++) {
      SortBuffer buf = new SortBuffer((long) perRun * (100 + SortBuffer.RECORD_OVERHEAD));
      for (int i = 0; i < perRun; i++) {
        rnd.nextBytes(k);
        rnd.nextBytes(v);
        buf.add(0, k, 10, v, 90);
      }
      buf.sort(order, 1);
      Path file = dir.resolve("run" + r);
      PartitionIndex ix;
      try (MapOutputWriter w = new MapOutputWriter(file, 1, false)) {
        w.startPartition();
        RecordStream s = buf.partition(0);
        while (s.next()) {
          w.write(s.keyBuf(), s.keyOff(), s.keyLen(), s.valBuf(), s.valOff(), s.valLen());
        }
        w.endPartition();
        ix = w.finish();
      }
      buf.release();
      sorted.add(new SortedRun.InPlace(file, 0, ix.entry(0).storedLength(), false,
          ix.entry(0).rawLength(), "run " + r));
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] ms = new long[rounds];
    long check = 0;
    for (int round = 0; round < rounds; round++) {
      long t0 = mx.getCurrentThreadCpuTime();
      List<RecordStream> streams = new ArrayList<>();
      for (SortedRun s : sorted) {
        streams.add(s.open());
      }
      try (MergingStream m = new MergingStream(streams, order)) {
        while (m.next()) {
          check += m.keyBuf()[m.keyOff()] + m.valLen();
        }
      }
      ms[round] = (mx.getCurrentThreadCpuTime() - t0) / 1_000_000;
    }
    java.util.Arrays.sort(ms);
    System.out.printf("merge best %d ms, median %d ms cpu (%d)%n", ms[0], ms[rounds / 2], check);
    for (SortedRun s : sorted) {
      Files.deleteIfExists(((SortedRun.InPlace) s).file());
    }
    Files.deleteIfExists(dir);
  }
}
