package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reduces of one job over real map outputs on disk, some maps with records for a partition and
 * most without: the first reduce reads every index, the later ones ask the source only of the
 * maps with data for them (the rest count as fetched from the job's bits), and every reduce
 * gets exactly the records written to its partition, one run per map. Maps that finish late
 * (added to the feed while the reduce runs) and a map whose output was lost and ran again with
 * other records (its old output withdrawn from the feed during the reduce) are fetched, never
 * answered from the bits of the other attempt.
 */
@ExtendWith(Seeds.class)
class FetchSkipsEmptyMapsTest {
  @TempDir Path dir;

  private static final String JOB = "job-0007";
  private static final int PARTITIONS = 9;

  /** The records written, by map and attempt: partition -> keys. */
  private final TreeMap<String, List<List<String>>> written = new TreeMap<>();

  private MapOutputRef write(SplittableRandom rnd, int map, int attempt, int share)
      throws Exception {
    TaskAttemptId id = new TaskAttemptId(JOB, TaskKind.MAP, map, attempt);
    Path data = dir.resolve(id.dirName() + ".out");
    Path index = dir.resolve(id.dirName() + ".index");
    List<List<String>> byPart = new ArrayList<>();
    PartitionIndex idx;
    try (MapOutputWriter w = new MapOutputWriter(data, PARTITIONS, rnd.nextBoolean())) {
      for (int p = 0; p < PARTITIONS; p++) {
        List<String> keys = new ArrayList<>();
        w.startPartition();
        if (rnd.nextInt(share) == 0) {
          int n = 1 + rnd.nextInt(5);
          for (int i = 0; i < n; i++) {
            keys.add(String.format("k%03d-m%03d-a%d-%d", p, map, attempt, i));
          }
          for (String k : keys) { // sorted: the format keeps them in order
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            w.write(b, 0, b.length, b, 0, b.length);
          }
        }
        w.endPartition();
        byPart.add(keys);
      }
      idx = w.finish();
    }
    idx.write(index);
    written.put(id.toString(), byPart);
    return new MapOutputRef(map, id, "localhost", data.toString(), index.toString());
  }

  private List<String> expected(List<MapOutputRef> refs, int partition) {
    List<String> keys = new ArrayList<>();
    for (MapOutputRef r : refs) {
      keys.addAll(written.get(r.attempt().toString()).get(partition));
    }
    keys.sort(null);
    return keys;
  }

  private static List<String> read(List<SortedRun> runs) throws Exception {
    List<String> keys = new ArrayList<>();
    for (SortedRun r : runs) {
      try (RecordStream s = r.open()) {
        while (s.next()) {
          keys.add(new String(s.keyBuf(), s.keyOff(), s.keyLen(), StandardCharsets.UTF_8));
        }
      }
    }
    keys.sort(null);
    return keys;
  }

  private static TaskAttemptId reduce(int partition) {
    return new TaskAttemptId(JOB, TaskKind.REDUCE, partition, 0);
  }

  @Test
  void laterReducesAskOnlyOfMapsWithDataForThem(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int maps = 150 + rnd.nextInt(60); // past two words of bits
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      refs.add(write(rnd, m, 0, 4));
    }
    LocalShuffleSource source = new LocalShuffleSource();
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 64L << 20);
    for (int p = 0; p < PARTITIONS; p++) {
      long lookupsBefore = source.indexCache().hits() + source.indexCache().misses();
      MapsWithData bits = source.mapsWithData(JOB);
      long skippedBefore = bits == null ? 0 : bits.skipped();
      List<SortedRun> runs = fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, p,
          reduce(p), held -> { });
      assertThat(runs).as("one run per map").hasSize(maps);
      assertThat(read(runs)).as("partition %d", p).isEqualTo(expected(refs, p));
      int withData = 0;
      for (MapOutputRef r : refs) {
        withData += written.get(r.attempt().toString()).get(p).isEmpty() ? 0 : 1;
      }
      long lookups = source.indexCache().hits() + source.indexCache().misses() - lookupsBefore;
      long skipped = source.mapsWithData(JOB).skipped() - skippedBefore;
      if (p == 0) {
        assertThat(lookups).as("the first reduce asks of every map").isEqualTo(maps);
        assertThat(skipped).isZero();
      } else {
        assertThat(withData).as("some maps have data, not all").isBetween(1, maps - 1);
        assertThat(lookups).as("partition %d: only the maps with data", p).isEqualTo(withData);
        assertThat(skipped).isEqualTo(maps - withData);
      }
    }
  }

  @Test
  void lateMapsAndAMapThatRanAgainAreFetched(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int maps = 130;
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      refs.add(write(rnd, m, 0, 3));
    }
    LocalShuffleSource source = new LocalShuffleSource();
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 64L << 20);
    // A first reduce reads every index, so the bits know attempt 0 of every map.
    assertThat(read(fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, 0, reduce(0),
        held -> { }))).isEqualTo(expected(refs, 0));
    for (int p = 1; p < PARTITIONS; p++) {
      // The map that runs again had nothing for p in attempt 0; attempt 1 has records there.
      int rerun = -1;
      for (int m = 0; m < maps && rerun < 0; m++) {
        if (written.get(refs.get(m).attempt().toString()).get(p).isEmpty()) {
          rerun = m;
        }
      }
      assertThat(rerun).as("a map with nothing for partition %d", p).isNotNegative();
      MapOutputRef again = write(rnd, rerun, p, 1); // share 1: records in every partition
      assertThat(source.mapsWithData(JOB).isEmpty(rerun, 0, p)).as("known empty").isTrue();
      // The reduce starts with the first 100 maps (attempt 0 of the one that runs again); the
      // others finish meanwhile, and the lost output is replaced by the new attempt's.
      List<MapOutputRef> first = new ArrayList<>(refs.subList(0, 100));
      MapOutputFeed feed = new MapOutputFeed(first);
      List<MapOutputRef> late = new ArrayList<>(refs.subList(100, maps));
      int r = rerun;
      boolean[] updated = new boolean[1];
      List<SortedRun> runs = fetcher.fetchAsTheyCome(feed, maps, p, reduce(p), held -> {
        if (!updated[0]) {
          updated[0] = true;
          List<MapOutputRef> added = new ArrayList<>(late);
          List<TaskAttemptId> withdrawn = new ArrayList<>();
          if (r < 100) {
            withdrawn.add(refs.get(r).attempt());
          }
          added.removeIf(x -> x.mapIndex() == r);
          added.add(again);
          feed.update(added, withdrawn);
        }
      });
      assertThat(updated[0]).isTrue();
      refs.set(rerun, again);
      assertThat(runs).hasSize(maps);
      assertThat(read(runs)).as("partition %d with map %d run again", p, rerun)
          .isEqualTo(expected(refs, p))
          .anyMatch(k -> k.contains(String.format("-m%03d-a%d-", r, again.attempt().attempt())));
      assertThat(source.mapsWithData(JOB).isEmpty(rerun, 0, p))
          .as("a map recorded with two attempts is not answered").isFalse();
    }
  }
}
