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
 */
public final class RunMerger {
  private final TaskAttemptId attempt;
  private final KeyOrder order;
  private final int factor;
  private final boolean compress;
  private final Path scratchDir;
  private long recordsWritten;
  private int passes;

  public RunMerger(TaskAttemptId attempt, KeyOrder order, int factor, boolean compress,
      Path scratchDir) {
    this.attempt = attempt;
    this.order = order;
    this.factor = factor;
    this.compress = compress;
    this.scratchDir = scratchDir;
  }

  /** Records written by merge passes (for SPILLED_RECORDS). */
  public long recordsWritten() {
    return recordsWritten;
  }

  public int passes() {
    return passes;
  }

  /**
   * Returns at most {@code factor} runs holding the same records; consumed runs are discarded.
   * The first pass merges just enough runs that later passes are full ones.
   */
  public List<SortedRun> reduceToFactor(List<SortedRun> runs) throws IOException,
      InterruptedException {
    List<SortedRun> left = new ArrayList<>(runs);
    if (left.size() > factor) {
      // Runs in memory hold no file open: merge them all in one pass first, as Hadoop's reduce
      // merges its in-memory segments (a reduce of 10,000 small maps holds thousands of them;
      // merging them `factor` at a time wrote each record several times).
      List<SortedRun> inMemory = new ArrayList<>();
      List<SortedRun> inFiles = new ArrayList<>();
      for (SortedRun r : left) {
        (r instanceof SortedRun.InMemory ? inMemory : inFiles).add(r);
      }
      if (inMemory.size() > 1) {
        inFiles.add(mergeToFile(inMemory));
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
