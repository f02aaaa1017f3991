package dev.quern.worker.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayInputStream;
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
 * The reader sizes its buffers to the run (a run of a few bytes gets a few bytes of buffer, not a
 * whole block): runs of every size from empty to several blocks, compressed or not, read back
 * record for record, with the raw length known and unknown; a run longer than the index says is
 * still caught.
 */
@ExtendWith(Seeds.class)
class RunReaderTest {
  @TempDir Path dir;

  private record Rec(byte[] key, byte[] value) {}

  @Test
  void runsOfEverySizeReadBackWhole(Seed seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed.value());
    // Partition sizes: empty, one tiny record, a few records, about one block, several blocks.
    int[] records = {0, 1, 7, 900, 9000};
    for (boolean compress : new boolean[] {true, false}) {
      Path file = dir.resolve("run-" + compress);
      List<List<Rec>> parts = new ArrayList<>();
      List<IndexEntry> index = new ArrayList<>();
      try (MapOutputWriter w = new MapOutputWriter(file, records.length, compress)) {
        for (int n : records) {
          List<Rec> part = new ArrayList<>();
          w.startPartition();
          for (int i = 0; i < n; i++) {
            byte[] k = new byte[1 + rnd.nextInt(40)];
            byte[] v = new byte[rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(200)];
            rnd.nextBytes(k);
            rnd.nextBytes(v);
            part.add(new Rec(k, v));
            w.write(k, 0, k.length, v, 0, v.length);
          }
          index.add(w.endPartition());
          parts.add(part);
        }
        w.finish();
      }
      byte[] bytes = Files.readAllBytes(file);
      for (int p = 0; p < records.length; p++) {
        IndexEntry e = index.get(p);
        byte[] stored = Arrays.copyOfRange(bytes, (int) e.offset(),
            (int) (e.offset() + e.storedLength()));
        for (long expectedRaw : new long[] {e.rawLength(), -1}) {
          RunReader r = new RunReader(new ByteArrayInputStream(stored), compress, expectedRaw,
              "partition " + p);
          List<Rec> got = new ArrayList<>();
          while (r.next()) {
            got.add(new Rec(Arrays.copyOfRange(r.keyBuf(), r.keyOff(), r.keyOff() + r.keyLen()),
                Arrays.copyOfRange(r.valBuf(), r.valOff(), r.valOff() + r.valLen())));
          }
          assertThat(got).as("partition %d, compressed %s, raw length %d", p, compress,
              expectedRaw).hasSize(parts.get(p).size());
          for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).key()).isEqualTo(parts.get(p).get(i).key());
            assertThat(got.get(i).value()).isEqualTo(parts.get(p).get(i).value());
          }
        }
      }
      // The index claims less than the run holds: the small buffer still reads it all, and the
      // reader reports the mismatch rather than stopping early.
      IndexEntry big = index.get(records.length - 1);
      byte[] stored = Arrays.copyOfRange(bytes, (int) big.offset(),
          (int) (big.offset() + big.storedLength()));
      RunReader r = new RunReader(new ByteArrayInputStream(stored), compress, 10, "short index");
      assertThatThrownBy(() -> {
        while (r.next()) {
          // drain
        }
      }).isInstanceOf(CorruptRunException.class).hasMessageContaining("short index");
    }
  }
}
