package dev.quern.worker.merge;

import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.spill.FileRangeInputStream;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RecordSink;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.RunFiles;
import dev.quern.worker.spill.RunReader;
import dev.quern.worker.spill.SpillFile;
import dev.quern.worker.task.TaskAttemptId;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Merges a map attempt's spills into its output file with at most {@code factor} spills open at
 * once ({@code quern.sort.factor}): beyond that, neighbouring spills are first merged into pass
 * files, whole (every partition), as {@link MergePlan} says. Each open spill costs one file and
 * one read buffer per partition being merged, so the factor bounds both.
 */
public final class SpillMerger {
  /** Writes one partition's merged records; returns how many it wrote. */
  @FunctionalInterface
  public interface PartitionWriter {
    long write(RecordStream merged, RecordSink out) throws Exception;
  }

  private final TaskAttemptId attempt;
  private final KeyOrder order;
  private final int partitions;
  private final int factor;
  private final boolean compress;
  private int passes;
  private long passRecords;

  public SpillMerger(TaskAttemptId attempt, KeyOrder order, int partitions, int factor,
      boolean compress) {
    if (factor < 2) {
      throw new IllegalArgumentException("merge factor must be at least 2, got " + factor);
    }
    this.attempt = attempt;
    this.order = order;
    this.partitions = partitions;
    this.factor = factor;
    this.compress = compress;
  }

  /** Pass files written before the final merge. */
  public int passes() {
    return passes;
  }

  /** Records written to pass files (they count as spilled again). */
  public long passRecords() {
    return passRecords;
  }

  /**
   * Merges {@code spills} (in order: equal keys come out in it) into {@code data}. The list is
   * kept current as passes replace spills by pass files (named by {@code passFile}), so on a
   * failure it names exactly the files left to delete; on success it is empty and every spill
   * and pass file has been deleted.
   *
   * @param writer writes each partition of a pass file and of the final output (a copy, or the
   *     combiner)
   */
  public PartitionIndex merge(List<SpillFile> spills, Path data, IntFunction<Path> passFile,
      PartitionWriter writer) throws Exception {
    for (int[] plan = MergePlan.nextPass(spills.size(), factor); plan.length > 0;
        plan = MergePlan.nextPass(spills.size(), factor)) {
      int at = 0;
      for (int size : plan) {
        if (size > 1) {
          Interrupts.check(attempt);
          List<SpillFile> group = spills.subList(at, at + size);
          SpillFile merged = mergeGroup(group, passFile.apply(passes++), writer, true);
          deleteAll(group);
          group.clear();
          spills.add(at, merged);
        }
        at++;
      }
    }
    SpillFile out = mergeGroup(spills, data, writer, false);
    deleteAll(spills);
    spills.clear();
    return out.index();
  }

  private SpillFile mergeGroup(List<SpillFile> group, Path file, PartitionWriter writer,
      boolean pass) throws Exception {
    List<FileChannel> channels = new ArrayList<>(group.size());
    boolean ok = false;
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, compress)) {
      for (SpillFile s : group) {
        channels.add(RunFiles.open(s.file()));
      }
      long written = 0;
      for (int p = 0; p < partitions; p++) {
        List<RecordStream> runs = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
          PartitionIndex ix = group.get(i).index();
          IndexEntry e = ix.entry(p);
          if (e.storedLength() == 0) {
            continue;
          }
          runs.add(new RunReader(
              new FileRangeInputStream(channels.get(i), e.offset(), e.storedLength(), false),
              ix.compressed(), e.rawLength(), group.get(i).file() + " partition " + p));
        }
        w.startPartition();
        written += writer.write(new MergingStream(runs, order), w);
        w.endPartition();
      }
      SpillFile merged = new SpillFile(file, w.finish());
      if (pass) {
        passRecords += written;
      }
      ok = true;
      return merged;
    } finally {
      for (FileChannel c : channels) {
        RunFiles.close(c);
      }
      if (!ok) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void deleteAll(List<SpillFile> files) throws java.io.IOException {
    for (SpillFile s : files) {
      Files.deleteIfExists(s.file());
    }
  }
}
