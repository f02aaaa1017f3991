package dev.quern.worker.reduce;

import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Bounds the number of runs merged at once: while there are more than the merge factor, merges
 * the smallest runs into a scratch file. Each pass reads and writes sequentially and holds one
 * block buffer per input.
 *
 * <p>Runs in memory are not bound by the factor (which bounds open files and their buffers):
 * when their readers' buffers fit in the memory given, they go to the final merge as they are,
 * however many (a reduce of 5,000 small maps holds over a thousand); only past it are they
 * merged into a scratch file first, which wrote and read every record once more (about 7% of
 * the task slots' time in a job of many small maps).
 */
public final class RunMerger {
  private final TaskAttemptId attempt;
  private final KeyOrder order;
  private final int factor;
  private final boolean compress;
  private final Path scratchDir;
  /** A reader's block, compressed (the map output format's) and not (as {@code RunReader}). */
  private static final int BLOCK = 64 * 1024;
  private static final int RAW_READ = 256 * 1024;
  private final long inMemoryReaders;
  private long recordsWritten;
  private int passes;

  /** As the other constructor, with no memory for in-memory runs' readers (all go to files). */
  public RunMerger(TaskAttemptId attempt, KeyOrder order, int factor, boolean compress,
      Path scratchDir) {
    this(attempt, order, factor, compress, scratchDir, 0);
  }

  /**
   * @param inMemoryReaders bytes that the readers of runs in memory may take in the final merge
   *     (their block buffers, {@link #readerBytes}); runs whose readers take more are merged into
   *     a scratch file first
   */
  public RunMerger(TaskAttemptId attempt, KeyOrder order, int factor, boolean compress,
      Path scratchDir, long inMemoryReaders) {
    this.attempt = attempt;
    this.order = order;
    this.factor = factor;
    this.compress = compress;
    this.scratchDir = scratchDir;
    this.inMemoryReaders = inMemoryReaders;
  }

  /**
   * About the bytes a reader of {@code run} holds while it is open: a block buffer of the run's
   * raw length up to a block, and when compressed the compressed block's buffer (counted as
   * two blocks), plus small copies.
   */
  static long readerBytes(SortedRun.InMemory run) {
    long block = Math.min(run.compressed() ? BLOCK : RAW_READ, Math.max(1, run.rawLength()));
    // A compressed block's buffer is a little over a raw block at worst: counted as two.
    return (run.compressed() ? 3 : 1) * block + 256;
  }

  /** Records written by merge passes (for SPILLED_RECORDS). */
  public long recordsWritten() {
    return recordsWritten;
  }

  public int passes() {
    return passes;
  }

  /**
   * Returns runs holding the same records: at most {@code factor} of them in files, plus the
   * runs in memory when their readers fit in the memory given (else at most {@code factor} in
   * all); consumed runs are discarded. The first pass merges just enough runs that later passes
   * are full ones. Runs in memory kept as they are come last, in their order.
   */
  public List<SortedRun> reduceToFactor(List<SortedRun> runs) throws IOException,
      InterruptedException {
    List<SortedRun> left = new ArrayList<>(runs);
    List<SortedRun> keptInMemory = List.of();
    if (left.size() > factor) {
      // Runs in memory hold no file open: when their readers fit, they all go to the final
      // merge; else they are merged in one pass first, as Hadoop's reduce merges its in-memory
      // segments (a reduce of 10,000 small maps holds thousands of them; merging them `factor`
      // at a time wrote each record several times).
      List<SortedRun> inMemory = new ArrayList<>();
      List<SortedRun> inFiles = new ArrayList<>();
      long readers = 0;
      for (SortedRun r : left) {
        if (r instanceof SortedRun.InMemory m) {
          inMemory.add(r);
          readers += readerBytes(m);
        } else {
          inFiles.add(r);
        }
      }
      if (inMemory.size() > 1) {
        if (readers <= inMemoryReaders) {
          keptInMemory = inMemory;
        } else {
          inFiles.add(mergeToFile(inMemory));
        }
        left = inFiles;
      }
    }
    while (left.size() > factor) {
      Interrupts.check(attempt);
      left.sort(Comparator.comparingLong(SortedRun::storedLength));
      int take = passes == 0 ? firstPassSize(left.size()) : factor;
      List<SortedRun> group = new ArrayList<>(left.subList(0, take));
      left.subList(0, take).clear();
      left.add(mergeToFile(group));
    }
    left.addAll(keptInMemory);
    return left;
  }

  // Merging n runs factor at a time, each pass turns k runs into 1; choose the first pass so that
  // all later passes take exactly `factor` runs.
  private int firstPassSize(int n) {
    int mod = (n - 1) % (factor - 1);
    return mod == 0 ? factor : mod + 1;
  }

  private SortedRun mergeToFile(List<SortedRun> group) throws IOException,
      InterruptedException {
    Path file = scratchDir.resolve(attempt.dirName() + ".merge" + passes++);
    List<RecordStream> streams = new ArrayList<>(group.size());
    IndexEntry e;
    try (MapOutputWriter w = new MapOutputWriter(file, 1, compress)) {
      for (SortedRun r : group) {
        streams.add(r.open());
      }
      w.startPartition();
      try (MergingStream merged = new MergingStream(streams, order)) {
        long n = 0;
        while (merged.next()) {
          w.write(merged.keyBuf(), merged.keyOff(), merged.keyLen(), merged.valBuf(),
              merged.valOff(), merged.valLen());
          if ((++n & 0xffff) == 0) {
            Interrupts.check(attempt);
          }
        }
      }
      e = w.endPartition();
      w.finish();
    }
    for (SortedRun r : group) {
      r.discard();
    }
    recordsWritten += e.records();
    return new SortedRun.InFile(file, 0, e.storedLength(), compress, e.rawLength(),
        "merge pass file " + file);
  }
}
