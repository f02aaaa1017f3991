package dev.quern.worker.spill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions written back to back, uncompressed ones sharing the staging buffer: over 1,000
 * partitions, most empty, some with a record or a few and some with records larger than the
 * buffer, every entry's bytes lie where it says, end to end, with the CRC32C it gives, and read
 * back as the records written; compressed files the same.
 */
@ExtendWith(Seeds.class)
class MapOutputWriterTest {
  @TempDir Path dir;

  private record Rec(byte[] key, byte[] value) {}

  @Test
  void everyPartitionLiesWhereItsEntrySaysWithItsChecksum(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    int partitions = 1000;
    for (boolean compress : new boolean[] {false, true}) {
      Path file = dir.resolve("m-" + compress + ".out");
      List<List<Rec>> parts = new ArrayList<>();
      PartitionIndex index;
      try (MapOutputWriter w = new MapOutputWriter(file, partitions, compress)) {
        for (int p = 0; p < partitions; p++) {
          List<Rec> part = new ArrayList<>();
          int kind = rnd.nextInt(20);
          // Most empty; some small; a few past the staging buffer (256 KiB) or a block.
          int n = kind < 15 ? 0 : kind < 19 ? 1 + rnd.nextInt(5) : 1 + rnd.nextInt(3);
          int valueSize = kind == 19 ? 40_000 + rnd.nextInt(120_000) : rnd.nextInt(30);
          w.startPartition();
          for (int i = 0; i < n; i++) {
            byte[] k = new byte[1 + rnd.nextInt(20)];
            byte[] v = new byte[valueSize];
            rnd.nextBytes(k);
            rnd.nextBytes(v);
            part.add(new Rec(k, v));
            w.write(k, 0, k.length, v, 0, v.length);
          }
          IndexEntry e = w.endPartition();
          assertThat(e.records()).isEqualTo(n);
          parts.add(part);
        }
        index = w.finish();
      }
      byte[] bytes = Files.readAllBytes(file);
      long at = 0;
      for (int p = 0; p < partitions; p++) {
        IndexEntry e = index.entry(p);
        String what = "partition " + p + ", compressed " + compress;
        assertThat(e.offset()).as(what).isEqualTo(at);
        at += e.storedLength();
        byte[] stored = Arrays.copyOfRange(bytes, (int) e.offset(),
            (int) (e.offset() + e.storedLength()));
        CRC32C crc = new CRC32C();
        crc.update(stored);
        assertThat((int) crc.getValue()).as(what).isEqualTo(e.crc());
        RunReader r = new RunReader(new ByteArrayInputStream(stored), compress, e.rawLength(),
            what);
        List<Rec> got = new ArrayList<>();
        while (r.next()) {
          got.add(new Rec(Arrays.copyOfRange(r.keyBuf(), r.keyOff(), r.keyOff() + r.keyLen()),
              Arrays.copyOfRange(r.valBuf(), r.valOff(), r.valOff() + r.valLen())));
        }
        assertThat(got).as(what).hasSize(parts.get(p).size());
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).key()).as(what).isEqualTo(parts.get(p).get(i).key());
          assertThat(got.get(i).value()).as(what).isEqualTo(parts.get(p).get(i).value());
        }
      }
      assertThat((long) bytes.length).as("the partitions end to end").isEqualTo(at);
    }
  }
  /** Writes {@code parts} records of random sizes into {@code w}; returns the index. */
  private static PartitionIndex writeAll(MapOutputWriter w, long seed, int partitions, int size)
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int p = 0; p < partitions; p++) {
      w.startPartition();
      int n = rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        byte[] k = new byte[1 + rnd.nextInt(size)];
        rnd.nextBytes(k);
        w.write(k, 0, k.length, k, 0, k.length);
      }
      w.endPartition();
    }
    return w.finish();
  }

  @Test
  void anOutputWithinTheHoldLimitCreatesNoFileAndHoldsWhatTheFileWouldHave(Seed seed)
      throws Exception {
    long s = seed.random().nextLong();
    for (boolean compress : new boolean[] {false, true}) {
      for (int size : new int[] {20, 3000}) {
        Path plain = dir.resolve("plain-" + compress + size);
        Path held = dir.resolve("held-" + compress + size);
        PartitionIndex want;
        try (MapOutputWriter w = new MapOutputWriter(plain, 50, compress)) {
          want = writeAll(w, s, 50, size);
        }
        byte[] bytes = Files.readAllBytes(plain);
        int limit = 16 * 1024;
        PartitionIndex got;
        byte[] kept;
        try (MapOutputWriter w = new MapOutputWriter(held, 50, compress, limit)) {
          got = writeAll(w, s, 50, size);
          kept = w.held();
        }
        String what = "compressed " + compress + ", records up to " + size + " bytes, "
            + bytes.length + " bytes stored";
        assertThat(got).as(what).isEqualTo(want);
        if (bytes.length <= limit) {
          assertThat(kept).as(what).isEqualTo(bytes);
          assertThat(held).as(what).doesNotExist();
        } else {
          assertThat(kept).as(what).isNull();
          assertThat(Files.readAllBytes(held)).as(what).isEqualTo(bytes);
        }
      }
    }
  }
}
