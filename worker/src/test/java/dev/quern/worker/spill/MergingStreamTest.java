package dev.quern.worker.spill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.sort.KeyOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The merge against a stable sort of all records (inputs in list order), under byte order (the
 * cached-prefix path) and under a comparator order. Each round draws its inputs from the test's
 * seed.
 */
@ExtendWith(Seeds.class)
class MergingStreamTest {

  private record Rec(byte[] key, int input, int index) {}

  /** Sorted records held in a list; the value is (input, index). */
  private static final class ListStream implements RecordStream {
    private final List<Rec> recs;
    private int i = -1;
    private final byte[] val = new byte[8];

    ListStream(List<Rec> recs) {
      this.recs = recs;
    }

    @Override
    public boolean next() {
      if (++i >= recs.size()) {
        return false;
      }
      Rec r = recs.get(i);
      MapOutputWriter.putInt(val, 0, r.input());
      MapOutputWriter.putInt(val, 4, r.index());
      return true;
    }

    @Override
    public byte[] keyBuf() {
      return recs.get(i).key();
    }

    @Override
    public int keyOff() {
      return 0;
    }

    @Override
    public int keyLen() {
      return recs.get(i).key().length;
    }

    @Override
    public byte[] valBuf() {
      return val;
    }

    @Override
    public int valOff() {
      return 0;
    }

    @Override
    public int valLen() {
      return 8;
    }
  }

  @Test
  void bytewiseMergeMatchesStableSort(Seed seed) throws Exception {
    KeyOrder order = KeyOrder.of(null,
        Serdes.of(byte[].class, getClass().getClassLoader()), byte[].class);
    assertThat(order.bytesEqualMeansEqual()).isTrue();
    for (int round = 0; round < 6; round++) {
      check(order, Arrays::compareUnsigned, seed, round);
    }
  }

  @Test
  void comparatorMergeMatchesStableSort(Seed seed) throws Exception {
    KeyOrder descending = (a, ao, al, b, bo, bl) ->
        Arrays.compareUnsigned(b, bo, bo + bl, a, ao, ao + al);
    for (int round = 0; round < 4; round++) {
      check(descending, (a, b) -> Arrays.compareUnsigned(b, a), seed, round);
    }
  }

  private static void check(KeyOrder order, Comparator<byte[]> keys, Seed seed, int round)
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed.derive(round));
    int inputs = 1 + rnd.nextInt(20);
    List<Rec> all = new ArrayList<>();
    List<RecordStream> streams = new ArrayList<>();
    for (int in = 0; in < inputs; in++) {
      List<Rec> run = new ArrayList<>();
      int n = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(2000);
      for (int i = 0; i < n; i++) {
        // Lengths 0 to 20 over a tiny alphabet: equal keys, equal prefixes, keys that are
        // prefixes of others (zero bytes included).
        byte[] k = new byte[rnd.nextInt(21)];
        for (int j = 0; j < k.length; j++) {
          k[j] = (byte) (rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(2) + 1);
        }
        run.add(new Rec(k, in, i));
      }
      run.sort(Comparator.comparing(Rec::key, keys));
      List<Rec> numbered = new ArrayList<>();
      for (int i = 0; i < run.size(); i++) {
        numbered.add(new Rec(run.get(i).key(), in, i));
      }
      all.addAll(numbered);
      streams.add(new ListStream(numbered));
    }
    all.sort(Comparator.comparing(Rec::key, keys)); // stable: input order breaks ties
    MergingStream merged = new MergingStream(streams, order);
    int at = 0;
    while (merged.next()) {
      Rec want = all.get(at);
      byte[] v = merged.valBuf();
      assertThat(RunReader.getInt(v, merged.valOff())).as("input at %d, round %d", at, round)
          .isEqualTo(want.input());
      assertThat(RunReader.getInt(v, merged.valOff() + 4)).as("index at %d, round %d", at, round)
          .isEqualTo(want.index());
      at++;
    }
    assertThat(at).as("records, round %d", round).isEqualTo(all.size());
  }
}
