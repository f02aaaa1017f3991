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
 * A map output's index is checked whole the first time a source reads it; later reads of the
 * same file take just the partition's entry, and give what the whole read gives. An index that
 * changed since (a new size or time) is checked again, so a damaged one is still a lost output.
 */
class LocalShuffleSourceTest {
  @TempDir Path dir;

  private static final int PARTITIONS = 5;

  private MapOutputRef write(String name) throws Exception {
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
    return new MapOutputRef(0, new TaskAttemptId("job-0001", TaskKind.MAP, 0, 1), "localhost",
        data.toString(), index.toString());
  }

  @Test
  void laterReadsTakeOneEntryAndAgreeWithTheWholeIndex() throws Exception {
    MapOutputRef ref = write("m");
    PartitionIndex whole = PartitionIndex.read(Path.of(ref.indexFile()));
    LocalShuffleSource source = new LocalShuffleSource();
    for (int round = 0; round < 2; round++) { // the first reads it whole, the second one entry
      for (int p = 0; p < PARTITIONS; p++) {
        InPlaceSource.Location at = source.locate(ref, p);
        assertThat(at.offset()).isEqualTo(whole.entry(p).offset());
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
  void anIndexDamagedAfterItsFirstReadIsStillALostOutput() throws Exception {
    MapOutputRef ref = write("m");
    LocalShuffleSource source = new LocalShuffleSource();
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
}
