package dev.quern.raft.storage;

import dev.quern.raft.Entry;
import dev.quern.raft.EntryType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Write-ahead-log throughput: appends 128-byte entries, syncing every N entries, and prints
 * entries/s, syncs/s and fsync latency percentiles. Not a test; run by hand:
 *
 * <pre>
 *   mvn -B -ntp -pl raft -am test-compile
 *   java -cp raft/target/classes:raft/target/test-classes dev.quern.raft.storage.WalBench [entries] [dir] [N...]
 * </pre>
 *
 * Defaults: 20000 entries per run, a temp directory, N = 1, 10, 100. Results depend entirely on the
 * disk and on what else is using it.
 */
public final class WalBench {

  private WalBench() {}

  public static void main(String[] args) throws IOException {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    boolean temp = args.length <= 1;
    Path base = temp ? Files.createTempDirectory("walbench") : Path.of(args[1]);
    int[] syncEvery = args.length > 2
        ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {1, 10, 100};
    System.out.printf("WalBench: %d entries of 128 bytes per run, dir %s%n", entries, base);
    for (int n : syncEvery) {
      run(base.resolve("sync-every-" + n), entries, n);
    }
    if (temp) {
      Files.delete(base);
    }
  }

  private static void run(Path dir, int entries, int syncEvery) throws IOException {
    byte[] data = new byte[128];
    new Random(1).nextBytes(data);
    long[] syncNanos = new long[entries / syncEvery + 1];
    int syncs = 0;
    long start = System.nanoTime();
    try (RaftLogStore store = RaftLogStore.open(dir, RaftLogStore.Options.defaults())) {
      for (int i = 1; i <= entries; i++) {
        store.append(List.of(new Entry(1, i, EntryType.NORMAL, data)));
        if (i % syncEvery == 0 || i == entries) {
          long t = System.nanoTime();
          store.sync();
          syncNanos[syncs++] = System.nanoTime() - t;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] sorted = Arrays.copyOf(syncNanos, syncs);
    Arrays.sort(sorted);
    System.out.printf("sync every %4d: %9.0f entries/s  %8.0f syncs/s  fsync p50 %7.1f us  p99 %7.1f us  (%d syncs, %.2f s)%n",
        syncEvery, entries / seconds, syncs / seconds, percentile(sorted, 0.50) / 1e3, percentile(sorted, 0.99) / 1e3, syncs, seconds);
    deleteDir(dir);
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void deleteDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }
}
