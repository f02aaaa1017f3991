package dev.quern.worker.shuffle;

import dev.quern.worker.task.MapOutputFeed;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * One job's record of which map outputs have records in each partition: per partition, a bit
 * set over map indexes, filled as the maps' indexes are read. With M maps and R reduces, each
 * reduce used to ask the index cache about every map (M x R lookups: 2.5 million at 5,000 x 500,
 * most of them of empty partitions); a reduce now reads one int and one bit for a map whose
 * index was read, and asks the cache only of the maps with data for it and of those not seen yet.
 *
 * <p>The bits describe one attempt of each map: {@link #isEmpty} answers only for the attempt
 * recorded. A map recorded with two attempts (it ran again: its output was lost, or its worker)
 * is never answered again here (its reduces ask the cache, as before): bits are only ever set,
 * never changed, so a reader needs no lock.
 *
 * <p>Memory: 4 bytes per map plus one bit per map and partition (10,000 maps x 1,000 partitions:
 * 1.3 MB); a job whose bits would take more than the limit given at creation records none past
 * it. Writes happen under the index cache's lock; reads from any thread without one: a map's
 * attempt is published with release semantics after its bits, and read with acquire semantics
 * before them.
 */
public final class MapsWithData {
  private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
  /** A map recorded with two attempts (or two partition counts): not answered. */
  private static final int MIXED = -1;

  private final int partitions;
  private final long maxBytes;
  /**
   * The arrays, replaced whole (under the cache's lock) when they grow, so that a reader reaches
   * the bits only through this volatile read and the acquire of a map's attempt.
   */
  private volatile State state;
  private final LongAdder skipped = new LongAdder();

  private static final class State {
    /** By map index: the recorded attempt's number + 1; 0 when none; {@link #MIXED}. */
    final int[] attempts;
    /** By partition: bits over map indexes, {@code words} longs each, or null when none set. */
    final long[][] byPartition;
    final int words;

    State(int[] attempts, long[][] byPartition) {
      this.attempts = attempts;
      this.byPartition = byPartition;
      this.words = (attempts.length + 63) >>> 6;
    }
  }

  MapsWithData(int partitions, long maxBytes) {
    this.partitions = partitions;
    this.maxBytes = maxBytes;
    this.state = new State(new int[0], new long[partitions][]);
  }

  /** Partitions per map output of the job (from its first index read). */
  public int partitions() {
    return partitions;
  }

  /** Bytes held (the attempts and the bits). */
  public long bytes() {
    State s = state;
    long n = 4L * s.attempts.length;
    for (long[] b : s.byPartition) {
      n += b == null ? 0 : 8L * b.length;
    }
    return n;
  }

  /**
   * Records that attempt {@code attempt} of map {@code map}, whose output has {@code
   * mapPartitions} partitions, has records in partitions {@code nonEmpty} (and no others); the
   * caller holds the cache's lock. Returns whether the map is answered for now.
   */
  boolean record(int map, int attempt, int mapPartitions, int[] nonEmpty) {
    if (map < 0 || attempt < 0) {
      return false;
    }
    State s = state;
    if (map >= s.attempts.length) {
      int size = Math.max(map + 1, Math.max(64, s.attempts.length * 2));
      int w = (size + 63) >>> 6;
      if (4L * size + 8L * w * partitions > maxBytes) {
        return false;
      }
      long[][] by = new long[partitions][];
      for (int p = 0; p < partitions; p++) {
        if (s.byPartition[p] != null) {
          by[p] = Arrays.copyOf(s.byPartition[p], w);
        }
      }
      s = new State(Arrays.copyOf(s.attempts, size), by);
      state = s;
    }
    int had = (int) INTS.getAcquire(s.attempts, map);
    if (had == attempt + 1) {
      return true; // the same output read again: the same bits
    }
    if (had != 0 || mapPartitions != partitions) {
      INTS.setRelease(s.attempts, map, MIXED);
      return false;
    }
    long bit = 1L << map;
    int w = map >>> 6;
    for (int p : nonEmpty) {
      long[] bits = s.byPartition[p];
      if (bits == null) {
        bits = new long[s.words];
        s.byPartition[p] = bits;
      }
      bits[w] |= bit;
    }
    // After the bits: a reader that sees this attempt sees them.
    INTS.setRelease(s.attempts, map, attempt + 1);
    return true;
  }

  /**
   * Whether attempt {@code attempt} of map {@code map} is known to have no records in {@code
   * partition}; false when it has some or is not known (not recorded, or recorded with another
   * attempt), and the caller must ask its source.
   */
  public boolean isEmpty(int map, int attempt, int partition) {
    State s = state;
    if (map < 0 || map >= s.attempts.length || partition < 0 || partition >= partitions
        || (int) INTS.getAcquire(s.attempts, map) != attempt + 1) {
      return false;
    }
    long[] bits = s.byPartition[partition];
    return bits == null || (bits[map >>> 6] & (1L << map)) == 0;
  }

  /**
   * Of {@code candidates}, bits over maps {@code 64 w} to {@code 64 w + 63} (bit {@code m & 63}
   * for map {@code m}), those known to have no records in {@code partition} in the attempt that
   * {@code seen} has of them, as {@link #isEmpty} answers one map: a reduce asks this of 64 maps
   * at once, and touches nothing per map but two ints and a bit.
   */
  public long emptyIn(int w, long candidates, int partition, MapOutputFeed.Snapshot seen) {
    State s = state;
    int base = w << 6;
    if (partition < 0 || partition >= partitions || base < 0 || base >= s.attempts.length) {
      return 0;
    }
    long maybe = candidates;
    int past = s.attempts.length - base;
    if (past < 64) {
      maybe &= (1L << past) - 1;
    }
    long empty = 0;
    while (maybe != 0) {
      int b = Long.numberOfTrailingZeros(maybe);
      maybe &= maybe - 1;
      int m = base + b;
      // The attempt first (acquire): the bits written before it are then seen.
      if ((int) INTS.getAcquire(s.attempts, m) == seen.attemptOf(m) + 1) {
        long[] bits = s.byPartition[partition];
        if (bits == null || (bits[w] & (1L << b)) == 0) {
          empty |= 1L << b;
        }
      }
    }
    return empty;
  }

  /** Counts {@code n} partitions that reduces counted as fetched from these bits. */
  public void countSkipped(long n) {
    skipped.add(n);
  }

  /** Partitions that reduces counted as fetched from these bits, without asking the source. */
  public long skipped() {
    return skipped.sum();
  }
}
