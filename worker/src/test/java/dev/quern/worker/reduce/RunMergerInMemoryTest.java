package dev.quern.worker.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many small runs in memory (some compressed, some empty of records) and a few in files, more
 * than the merge factor: with room for their readers the runs in memory go to the final merge
 * as they are (no pass, no scratch file, the files reduced to the factor), without it they are
 * merged into a file first; either way the final merge gives every record, in key order, equal
 * to an independent sort of all the records written.
 */
@ExtendWith(Seeds.class)
class RunMergerInMemoryTest {
  @TempDir Path dir;

  private int files;

  private SortedRun run(SplittableRandom rnd, List<String> all, boolean inMemory)
      throws Exception {
    Path f = dir.resolve("run" + files++);
    boolean compress = rnd.nextBoolean();
    int n = rnd.nextInt(inMemory ? 12 : 200);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add("w" + rnd.nextInt(500));
    }
    keys.sort(null);
    IndexEntry e;
    try (MapOutputWriter w = new MapOutputWriter(f, 1, compress)) {
      w.startPartition();
      for (String k : keys) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        byte[] v = (k + "=" + f.getFileName()).getBytes(StandardCharsets.UTF_8);
        w.write(b, 0, b.length, v, 0, v.length);
        all.add(k + " " + new String(v, StandardCharsets.UTF_8));
      }
      e = w.endPartition();
      w.finish();
    }
    if (inMemory) {
      byte[] bytes = Files.readAllBytes(f);
      Files.delete(f);
      return new SortedRun.InMemory(
          java.util.Arrays.copyOfRange(bytes, (int) e.offset(), (int) (e.offset()
              + e.storedLength())), compress, e.rawLength(), "run " + f);
    }
    return new SortedRun.InFile(f, e.offset(), e.storedLength(), compress, e.rawLength(),
        "run " + f);
  }

  private static List<String> mergeAll(List<SortedRun> runs) throws Exception {
    List<RecordStream> streams = new ArrayList<>();
    for (SortedRun r : runs) {
      streams.add(r.open());
    }
    List<String> out = new ArrayList<>();
    String last = "";
    try (MergingStream m = new MergingStream(streams, KeyOrder.RAW)) {
      while (m.next()) {
        String k = new String(m.keyBuf(), m.keyOff(), m.keyLen(), StandardCharsets.UTF_8);
        assertThat(k).as("keys in order").isGreaterThanOrEqualTo(last);
        last = k;
        out.add(k + " " + new String(m.valBuf(), m.valOff(), m.valLen(),
            StandardCharsets.UTF_8));
      }
    }
    out.sort(null);
    return out;
  }

  @Test
  void runsInMemoryGoToTheFinalMergeWhenTheirReadersFit(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    for (long readers : new long[] {64L << 20, 1000}) {
      List<String> all = new ArrayList<>();
      List<SortedRun> runs = new ArrayList<>();
      List<SortedRun> inMemory = new ArrayList<>();
      int memoryRuns = 300 + rnd.nextInt(200);
      int fileRuns = 7 + rnd.nextInt(5);
      for (int i = 0; i < memoryRuns + fileRuns; i++) {
        boolean mem = rnd.nextInt(memoryRuns + fileRuns) < memoryRuns;
        SortedRun r = run(rnd, all, mem);
        runs.add(r);
        if (mem) {
          inMemory.add(r);
        }
      }
      int factor = 4;
      TaskAttemptId id = new TaskAttemptId("job-0001", TaskKind.REDUCE, 0, 0);
      RunMerger merger = new RunMerger(id, KeyOrder.RAW, factor, rnd.nextBoolean(), dir,
          readers);
      List<SortedRun> out = merger.reduceToFactor(runs);
      long inFiles = out.stream().filter(r -> !(r instanceof SortedRun.InMemory)).count();
      assertThat(inFiles).as("runs in files").isLessThanOrEqualTo(factor);
      if (readers > 1000) {
        assertThat(out.subList(out.size() - inMemory.size(), out.size()))
            .as("the runs in memory, as they were, last").containsExactlyElementsOf(inMemory);
      } else {
        assertThat(out).as("no room for readers: merged into files").hasSizeLessThanOrEqualTo(
            factor).noneMatch(r -> r instanceof SortedRun.InMemory);
      }
      all.sort(null);
      assertThat(mergeAll(out)).as("readers budget %d", readers).isEqualTo(all);
      for (SortedRun r : out) {
        r.discard();
      }
    }
  }
}
