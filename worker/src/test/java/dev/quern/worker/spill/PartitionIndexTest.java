package dev.quern.worker.spill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index file holds exactly the bytes of its documented layout (encoded here field by field
 * through a data stream, as the format's first writer did), for one partition and for 1,000,
 * with every partition empty, a few with records or all of them, compressed or not; the reader
 * gives back every entry written, and no temporary file is left.
 */
@ExtendWith(Seeds.class)
class PartitionIndexTest {
  @TempDir Path dir;

  /** The layout of {@link PartitionIndex}'s comment, written one field at a time. */
  private static byte[] layout(boolean compressed, List<IndexEntry> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeBytes("QMIX");
    out.writeInt(1);
    out.writeInt(entries.size());
    out.writeInt(compressed ? 1 : 0);
    for (IndexEntry e : entries) {
      out.writeLong(e.offset());
      out.writeLong(e.rawLength());
      out.writeLong(e.storedLength());
      out.writeInt(e.crc());
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void theFileIsTheLayoutAndReadsBackAsWritten(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int[] partitionCounts = {0, 1, 1000};
    // The share of partitions with records: none, about one in eight, all.
    int[] shares = {0, 8, 1};
    int n = 0;
    for (int partitions : partitionCounts) {
      for (int share : shares) {
        List<IndexEntry> entries = new ArrayList<>();
        long offset = 0;
        for (int p = 0; p < partitions; p++) {
          if (share != 0 && rnd.nextInt(share) == 0) {
            long stored = 1 + rnd.nextLong(1L << 40); // past an int: all eight bytes count
            entries.add(new IndexEntry(offset, stored + rnd.nextInt(1000), stored,
                rnd.nextInt(), 1 + rnd.nextInt(50)));
            offset += stored;
          } else {
            entries.add(new IndexEntry(offset, 0, 0, 0, 0));
          }
        }
        boolean compressed = (n++ & 1) == 1;
        PartitionIndex index = new PartitionIndex(compressed, entries);
        Path file = dir.resolve("m-" + n + ".index");
        index.write(file);
        String what = partitions + " partitions, share " + share;
        assertThat(Files.readAllBytes(file)).as(what).isEqualTo(layout(compressed, entries));
        assertThat(Files.exists(file.resolveSibling(file.getFileName() + ".tmp"))).isFalse();

        PartitionIndex back = PartitionIndex.read(file);
        assertThat(back.compressed()).isEqualTo(compressed);
        assertThat(back.partitions()).isEqualTo(partitions);
        for (int p = 0; p < partitions; p++) {
          IndexEntry w = entries.get(p);
          // The record count lives in memory only: read back as -1.
          assertThat(back.entry(p)).as("%s: partition %d", what, p).isEqualTo(
              new IndexEntry(w.offset(), w.rawLength(), w.storedLength(), w.crc(), -1));
        }
      }
    }
  }

  @Test
  void aSecondWriteReplacesTheFileWhole() throws Exception {
    Path file = dir.resolve("m.index");
    List<IndexEntry> many = new ArrayList<>();
    for (int p = 0; p < 1000; p++) {
      many.add(new IndexEntry(p, 0, 0, 0, 0));
    }
    new PartitionIndex(false, many).write(file);
    List<IndexEntry> one = List.of(new IndexEntry(0, 12, 9, 0x1234abcd, 2));
    new PartitionIndex(true, one).write(file);
    assertThat(Files.readAllBytes(file)).isEqualTo(layout(true, one));
  }
}
