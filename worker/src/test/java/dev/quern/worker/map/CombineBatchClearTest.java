package dev.quern.worker.map;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spill's batch clears only the entries gathered into since its last clear: whatever mix of
 * gathers (a full batch, then short ones) came before, a clear leaves it holding no reference,
 * and each gather's entries are the table's keys at the ids gathered.
 */
@ExtendWith(Seeds.class)
class CombineBatchClearTest {

  @Test
  void aClearAfterAnyGathersLeavesNoReference(Seed seed) {
    SplittableRandom rnd = seed.random();
    ObjectCombineTable t = new ObjectCombineTable();
    int keys = 1000;
    for (int i = 0; i < keys; i++) {
      String k = "k" + i;
      byte[] b = k.getBytes(StandardCharsets.UTF_8);
      int h = t.insert(k, 0, b, b.length, 1 << 20);
      int values = 1 + rnd.nextInt(3);
      for (int v = 0; v < values; v++) {
        // A fresh object now and then: some keys hold an array of values besides the tail.
        t.append(h, rnd.nextInt(4) == 0 ? Long.valueOf(1000 + rnd.nextInt(1 << 20)) : 1L);
      }
    }
    t.sort(1);
    int[] ids = t.sortedIds();
    ObjectCombineTable.Batch batch = new ObjectCombineTable.Batch();
    for (int round = 0; round < 200; round++) {
      int gathers = 1 + rnd.nextInt(4);
      for (int g = 0; g < gathers; g++) {
        int n = rnd.nextInt(8) == 0 ? ObjectCombineTable.Batch.SIZE
            : 1 + rnd.nextInt(ObjectCombineTable.Batch.SIZE);
        int from = rnd.nextInt(keys - n + 1);
        int m = t.gather(ids, from, from + n, batch);
        assertThat(m).isEqualTo(n);
        for (int j = 0; j < m; j++) {
          assertThat(batch.keys[j]).as("round %d entry %d", round, j)
              .isSameAs(t.key(ids[from + j]));
          assertThat(batch.count(j)).isEqualTo(t.count(ids[from + j]));
        }
      }
      batch.clear();
      assertThat(batch.keys).as("round %d", round).containsOnlyNulls();
      assertThat(Arrays.asList(batch.arrays)).as("round %d", round).containsOnlyNulls();
      assertThat(batch.tails).as("round %d", round).containsOnlyNulls();
    }
  }
}
