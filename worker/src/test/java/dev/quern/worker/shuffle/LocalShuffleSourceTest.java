package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputLostException;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map output's index is checked whole the first time a source reads it and kept in memory
 * (within the cache's budget); later reads give what the whole read gives. Without room in the
 * cache a later read takes just the partition's entry from the file, and an index that changed
 * since (a new size or time) is checked again, so a damaged one is still a lost output. A kept
 * index is the checked copy: damage to the file after it was kept changes nothing read.
 */
class LocalShuffleSourceTest {
  @TempDir Path dir;

  private static final int PARTITIONS = 5;

  private MapOutputRef write(String name) throws Exception {
    return write(name, 0);
  }

  private MapOutputRef write(String name, int map) throws Exception {
    Path data = dir.resolve(name + ".out");
    Path index = dir.resolve(name + ".index");
    PartitionIndex written;
    try (MapOutputWriter w = new MapOutputWriter(data, PARTITIONS, true)) {
      for (int p = 0; p < PARTITIONS; p++) {
        w.startPartition();
        for (int i = 0; i < p * 3; i++) {
          byte[] k = ("key-" + p + "-" + i).getBytes(StandardCharsets.UTF_8);
          w.write(k, 0, k.length, k, 0, k.length);
        }
        w.endPartition();
      }
      written = w.finish();
    }
    written.write(index);
    return new MapOutputRef(map, new TaskAttemptId("job-0001", TaskKind.MAP, map, 1), "localhost",
        data.toString(), index.toString());
  }

  @Test
  void laterReadsAgreeWithTheWholeIndexWithAndWithoutTheCache() throws Exception {
    MapOutputRef ref = write("m");
    PartitionIndex whole = PartitionIndex.read(Path.of(ref.indexFile()));
    for (long budget : new long[] {0, 1 << 20}) {
      LocalShuffleSource source = new LocalShuffleSource(budget);
      // The first round reads it whole; the second from the cache, or one entry from the file.
      agreeTwice(source, ref, whole);
      assertThat(source.indexCache().size()).isEqualTo(budget == 0 ? 0 : 1);
      assertThat(source.heldData(ref)).isEqualTo(
          budget == 0 ? null : Files.readAllBytes(Path.of(ref.dataFile())));
      assertThat(source.indexCache().hits()).isEqualTo(budget == 0 ? 0 : 2 * PARTITIONS + 1);
    }
  }

  private void agreeTwice(LocalShuffleSource source, MapOutputRef ref, PartitionIndex whole)
      throws Exception {
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < PARTITIONS; p++) {
        InPlaceSource.Location at = source.locate(ref, p);
        if (whole.entry(p).storedLength() > 0) { // an empty one's offset does not matter
          assertThat(at.offset()).isEqualTo(whole.entry(p).offset());
        }
        assertThat(at.storedLength()).isEqualTo(whole.entry(p).storedLength());
        assertThat(at.rawLength()).isEqualTo(whole.entry(p).rawLength());
        assertThat(at.checksum()).isEqualTo(whole.entry(p).crc());
        assertThat(at.compressed()).isTrue();
      }
      assertThatThrownBy(() -> source.locate(ref, PARTITIONS))
          .isInstanceOf(MapOutputLostException.class).hasMessageContaining("partitions");
    }
  }

  @Test
  void anIndexDamagedAfterItsFirstReadIsStillALostOutputWithoutTheCache() throws Exception {
    MapOutputRef ref = write("m");
    LocalShuffleSource source = new LocalShuffleSource(0);
    source.locate(ref, 1);
    Path index = Path.of(ref.indexFile());
    FileTime before = Files.getLastModifiedTime(index);
    byte[] b = Files.readAllBytes(index);
    b[20] ^= 0x40; // an offset byte of partition 0's entry: the checksum no longer matches
    Files.write(index, b);
    Files.setLastModifiedTime(index, FileTime.fromMillis(before.toMillis() + 5_000));
    assertThatThrownBy(() -> source.locate(ref, 1))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("checksum");
    Files.delete(index);
    assertThatThrownBy(() -> source.locate(ref, 1))
        .isInstanceOf(MapOutputLostException.class).hasMessageContaining("does not exist");
  }

  @Test
  void aKeptIndexIsTheCheckedCopyAndEmptyPartitionsNeedNoFile() throws Exception {
    MapOutputRef ref = write("m");
    PartitionIndex whole = PartitionIndex.read(Path.of(ref.indexFile()));
    LocalShuffleSource source = new LocalShuffleSource();
    source.locate(ref, 1);
    byte[] b = Files.readAllBytes(Path.of(ref.indexFile()));
    b[20] ^= 0x40;
    Files.write(Path.of(ref.indexFile()), b);
    agreeTwice(source, ref, whole);
    // Partition 0 has no records: its location is known without the files.
    Files.delete(Path.of(ref.indexFile()));
    Files.delete(Path.of(ref.dataFile()));
    InPlaceSource.Location empty = source.locate(ref, 0);
    assertThat(empty.storedLength()).isZero();
    assertThat(empty.rawLength()).isZero();
    assertThat(empty.checksum()).isZero();
  }

  @Test
  void theCacheKeepsTheMostRecentlyUsedIndexesWithinItsBudget() throws Exception {
    int maps = 12;
    MapOutputRef[] refs = new MapOutputRef[maps];
    PartitionIndex[] wholes = new PartitionIndex[maps];
    for (int m = 0; m < maps; m++) {
      refs[m] = write("m" + m, m);
      wholes[m] = PartitionIndex.read(Path.of(refs[m].indexFile()));
    }
    // Partitions 1..4 have records: 4 kept entries per index.
    // Every map writes the same keys: data files of one size, kept whole (they are small).
    long dataBytes = Files.size(Path.of(refs[0].dataFile()));
    long perIndex = MapOutputIndexCache.BYTES_PER_INDEX
        + 4L * MapOutputIndexCache.BYTES_PER_PARTITION + dataBytes
        + 16L * ((PARTITIONS + 63) / 64); // the set of non-empty partitions, with its ranks
    LocalShuffleSource source = new LocalShuffleSource(5 * perIndex);
    MapOutputIndexCache cache = source.indexCache();
    for (int m = 0; m < maps; m++) {
      source.locate(refs[m], 2);
      assertThat(cache.bytesUsed()).isLessThanOrEqualTo(5 * perIndex);
    }
    // Past the budget it drops down to REFILL of it (at least one index), not just to fit.
    int kept = cache.size();
    assertThat(kept).isBetween((int) (5 * MapOutputIndexCache.REFILL), 5);
    assertThat(cache.evictions()).isEqualTo(maps - kept);
    assertThat(cache.bytesUsed()).isEqualTo(kept * perIndex);
    long hits = cache.hits();
    source.locate(refs[maps - 1], 3); // kept
    assertThat(cache.hits()).isEqualTo(hits + 1);
    source.locate(refs[0], 3); // dropped: read from its file (one entry), not kept again
    assertThat(cache.hits()).isEqualTo(hits + 1);
    assertThat(cache.size()).isEqualTo(kept);
    assertThat(source.heldData(refs[maps - 1]))
        .isEqualTo(Files.readAllBytes(Path.of(refs[maps - 1].dataFile())));
    assertThat(source.heldData(refs[0])).as("dropped").isNull();
    // Every read, kept or not, agrees with the whole index.
    for (int m = 0; m < maps; m++) {
      for (int p = 0; p < PARTITIONS; p++) {
        InPlaceSource.Location at = source.locate(refs[m], p);
        assertThat(at.offset()).isEqualTo(wholes[m].entry(p).storedLength() == 0 ? 0
            : wholes[m].entry(p).offset());
        assertThat(at.storedLength()).isEqualTo(wholes[m].entry(p).storedLength());
        assertThat(at.checksum()).isEqualTo(wholes[m].entry(p).crc());
        assertThat(at.file()).isEqualTo(Path.of(refs[m].dataFile()));
      }
    }
  }
}
