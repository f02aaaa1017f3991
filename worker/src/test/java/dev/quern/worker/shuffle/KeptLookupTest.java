package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.SortedRun;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a source keeps of a map output, found by job, map index and attempt number, answers every
 * partition as the index file does (read whole here, independently): with 1,000 partitions of
 * which a few, many or none have records, and with 7; an output not read yet, another attempt
 * of a map, another job or a missing output is not kept. A reduce that reads kept outputs gets
 * each partition's stored bytes as the data file has them, and still verifies them.
 */
@ExtendWith(Seeds.class)
class KeptLookupTest {
  @TempDir Path dir;

  private static final String JOB = "job-0003";

  private MapOutputRef write(SplittableRandom rnd, int map, int attempt, int partitions,
      int share) throws Exception {
    TaskAttemptId id = new TaskAttemptId(JOB, TaskKind.MAP, map, attempt);
    Path data = dir.resolve(id.dirName() + ".out");
    Path index = dir.resolve(id.dirName() + ".index");
    PartitionIndex written;
    try (MapOutputWriter w = new MapOutputWriter(data, partitions, rnd.nextBoolean())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        if (share > 0 && rnd.nextInt(share) == 0) {
          int n = 1 + rnd.nextInt(4);
          for (int i = 0; i < n; i++) {
            byte[] k = String.format("p%04d-m%03d-%d", p, map, i)
                .getBytes(StandardCharsets.UTF_8);
            w.write(k, 0, k.length, k, 0, k.length);
          }
        }
        w.endPartition();
      }
      written = w.finish();
    }
    written.write(index);
    return new MapOutputRef(map, id, "localhost", data.toString(), index.toString());
  }

  @Test
  void keptOutputsAnswerAsTheirIndexFiles(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    // {partitions, share}: 1,000 with about 1 in 8 with records (a map of a small file), 1 in
    // 200, none, all; 7 with about half.
    int[][] shapes = {{1000, 8}, {1000, 200}, {1000, 0}, {1000, 1}, {7, 2}};
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < 20; m++) {
      int[] s = shapes[m % shapes.length];
      refs.add(write(rnd, m, 1, s[0], s[1]));
    }
    LocalShuffleSource source = new LocalShuffleSource();
    for (MapOutputRef ref : refs) {
      int m = ref.mapIndex();
      assertThat(source.kept(JOB, m, 1)).as("not read yet").isNull();
      PartitionIndex whole = PartitionIndex.read(Path.of(ref.indexFile()));
      source.locate(JOB, ref, 0); // the first read checks the file and keeps it
      MapOutputIndexCache.Kept k = source.kept(JOB, m, 1);
      assertThat(k).isNotNull();
      assertThat(source.kept(JOB, m, 2)).as("another attempt").isNull();
      assertThat(source.kept("job-0004", m, 1)).as("another job").isNull();
      assertThat(k.partitions()).isEqualTo(whole.partitions());
      assertThat(k.compressed()).isEqualTo(whole.compressed());
      assertThat(k.dataFile()).isEqualTo(Path.of(ref.dataFile()));
      int nonEmpty = 0;
      for (int p = 0; p < whole.partitions(); p++) {
        IndexEntry e = whole.entry(p);
        int slot = k.slot(p);
        String what = "map " + m + " partition " + p;
        assertThat(slot < 0).as(what).isEqualTo(e.storedLength() == 0);
        assertThat(k.isEmpty(p)).as(what).isEqualTo(e.storedLength() == 0);
        if (slot >= 0) {
          nonEmpty++;
          assertThat(k.offset(slot)).as(what).isEqualTo(e.offset());
          assertThat(k.storedLength(slot)).as(what).isEqualTo(e.storedLength());
          assertThat(k.rawLength(slot)).as(what).isEqualTo(e.rawLength());
          assertThat(k.checksum(slot)).as(what).isEqualTo(e.crc());
        }
        InPlaceSource.Location at = source.locate(JOB, ref, p);
        assertThat(at.file()).isEqualTo(Path.of(ref.dataFile()));
        assertThat(at.storedLength()).as(what).isEqualTo(e.storedLength());
        assertThat(at.rawLength()).as(what).isEqualTo(e.rawLength());
        assertThat(at.checksum()).as(what).isEqualTo(e.crc());
        assertThat(at.compressed()).isEqualTo(whole.compressed());
        if (e.storedLength() != 0) { // an empty one's offset does not matter
          assertThat(at.offset()).as(what).isEqualTo(e.offset());
        }
      }
      assertThat(k.nonEmpty()).isEqualTo(nonEmpty);
      assertThat(k.nonEmptyPartitions()).hasSize(nonEmpty).isSorted();
      for (int p : k.nonEmptyPartitions()) {
        assertThat(whole.entry(p).storedLength()).isPositive();
      }
    }
    // A missing output is lost, and nothing of it is kept.
    MapOutputRef gone = write(rnd, 40, 1, 1000, 8);
    Files.delete(Path.of(gone.indexFile()));
    assertThatThrownBy(() -> source.locate(JOB, gone, 3))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("does not exist");
    assertThat(source.kept(JOB, 40, 1)).isNull();
  }

  @Test
  void aReduceOfKeptOutputsGetsTheStoredBytesAndChecksThem(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int partitions = 1000;
    int maps = 70;
    List<MapOutputRef> refs = new ArrayList<>();
    for (int m = 0; m < maps; m++) {
      refs.add(write(rnd, m, 1, partitions, 3));
    }
    LocalShuffleSource source = new LocalShuffleSource();
    ShuffleFetcher fetcher = new ShuffleFetcher(source, dir, "r", 64L << 20);
    for (int p = 0; p < 6; p++) {
      TaskAttemptId reduce = new TaskAttemptId(JOB, TaskKind.REDUCE, p, 1);
      List<SortedRun> runs = fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, p, reduce,
          held -> { });
      assertThat(runs).hasSize(maps);
      for (int m = 0; m < maps; m++) {
        MapOutputRef ref = refs.get(m);
        IndexEntry e = PartitionIndex.read(Path.of(ref.indexFile())).entry(p);
        byte[] file = Files.readAllBytes(Path.of(ref.dataFile()));
        byte[] want = Arrays.copyOfRange(file, (int) e.offset(),
            (int) (e.offset() + e.storedLength()));
        SortedRun run = runs.get(m);
        assertThat(run.storedLength()).as("partition %d of map %d", p, m)
            .isEqualTo(e.storedLength());
        assertThat(run.rawLength()).isEqualTo(e.rawLength());
        if (e.storedLength() != 0) {
          assertThat(((SortedRun.InMemory) run).bytes()).as("partition %d of map %d", p, m)
              .isEqualTo(want);
        }
      }
    }
    // Bytes held in memory that no longer match the index are still found out.
    int m = 0;
    int p = 0;
    MapOutputIndexCache.Kept k = source.kept(JOB, m, 1);
    while (k.slot(p) < 0) {
      p++;
    }
    k.data()[(int) k.offset(k.slot(p))] ^= 1;
    int partition = p;
    assertThatThrownBy(() -> fetcher.fetchAsTheyCome(new MapOutputFeed(refs), maps, partition,
        new TaskAttemptId(JOB, TaskKind.REDUCE, partition, 2), held -> { }))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("checksum mismatch");
  }
}
