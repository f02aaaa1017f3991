package dev.quern.worker.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.PartitionIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kept index answers every partition as the whole index does, whether it keeps a set of its
 * non-empty partitions (few partitions, or many with records) or only the sorted entries (many
 * partitions, few with records); an empty partition's location is one shared object.
 */
@ExtendWith(Seeds.class)
class MapOutputIndexCacheTest {

  @Test
  void keptEntriesAgreeWithTheWholeIndex(Seed seed) {
    SplittableRandom rnd = seed.random();
    MapOutputIndexCache cache = new MapOutputIndexCache(64L << 20);
    int[][] shapes = {{5, 2}, {64, 64}, {65, 1}, {1000, 3}, {1000, 400}, {4096, 1}, {130, 0}};
    for (int s = 0; s < shapes.length; s++) {
      int partitions = shapes[s][0];
      int nonEmpty = shapes[s][1];
      boolean[] has = new boolean[partitions];
      for (int k = 0; k < nonEmpty; ) {
        int p = rnd.nextInt(partitions);
        if (!has[p]) {
          has[p] = true;
          k++;
        }
      }
      List<IndexEntry> entries = new ArrayList<>();
      long offset = 0;
      for (int p = 0; p < partitions; p++) {
        if (has[p]) {
          long stored = 1 + rnd.nextInt(100);
          entries.add(new IndexEntry(offset, stored + 7, stored, rnd.nextInt(), 3));
          offset += stored;
        } else {
          entries.add(new IndexEntry(offset, 0, 0, 0, 0));
        }
      }
      PartitionIndex whole = new PartitionIndex(s % 2 == 0, entries);
      MapOutputIndexCache.Kept k = cache.put("/i" + s, "/d" + s, whole, null);
      assertThat(cache.get("/i" + s, "/d" + s)).isSameAs(k);
      assertThat(k.nonEmpty()).isEqualTo(nonEmpty);
      for (int p = 0; p < partitions; p++) {
        IndexEntry want = whole.entry(p);
        IndexEntry got = k.entry(p);
        assertThat(k.isEmpty(p)).as("shape %d partition %d", s, p).isEqualTo(!has[p]);
        assertThat(got.storedLength()).isEqualTo(want.storedLength());
        assertThat(got.rawLength()).isEqualTo(want.rawLength());
        assertThat(got.crc()).isEqualTo(want.crc());
        if (has[p]) {
          assertThat(got.offset()).isEqualTo(want.offset());
        }
      }
      assertThat(k.emptyLocation()).isSameAs(k.emptyLocation());
      assertThat(k.emptyLocation().storedLength()).isZero();
      assertThat(k.emptyLocation().checksum()).isZero();
      assertThat(k.emptyLocation().compressed()).isEqualTo(whole.compressed());
    }
    assertThat(cache.get("/i0", "/other")).as("another data file").isNull();
  }
}
