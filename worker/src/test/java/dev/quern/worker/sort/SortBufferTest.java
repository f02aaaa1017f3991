package dev.quern.worker.sort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.RecordStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeds.class)
class SortBufferTest {

  /** Short keys full of zero bytes exercise the 8-byte prefix comparison's edge cases. */
  @Test
  void sortsLikeUnsignedByteOrderWithinPartitions(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    KeyOrder order = KeyOrder.of(null, Serdes.of(byte[].class, getClass().getClassLoader()),
        byte[].class);
    SortBuffer buf = new SortBuffer(1 << 20);
    int partitions = 3;
    List<List<byte[]>> expected = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      expected.add(new ArrayList<>());
    }
    for (int i = 0; i < 5000; i++) {
      byte[] k = new byte[rnd.nextInt(14)];
      for (int j = 0; j < k.length; j++) {
        k[j] = (byte) (rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(4) * 85);
      }
      int p = rnd.nextInt(partitions);
      assertThat(buf.add(p, k, k.length, new byte[] {(byte) i}, 1)).isTrue();
      expected.get(p).add(k);
    }
    buf.sort(order, partitions);
    for (int p = 0; p < partitions; p++) {
      List<byte[]> want = new ArrayList<>(expected.get(p));
      want.sort(Arrays::compareUnsigned);
      List<byte[]> got = new ArrayList<>();
      RecordStream s = buf.partition(p);
      while (s.next()) {
        got.add(Arrays.copyOfRange(s.keyBuf(), s.keyOff(), s.keyOff() + s.keyLen()));
      }
      assertThat(got).as("partition %d", p).hasSameSizeAs(want);
      for (int i = 0; i < want.size(); i++) {
        assertThat(got.get(i)).as("partition %d index %d", p, i)
            .isEqualTo(want.get(i));
      }
    }
  }

  @Test
  void hashBufferKeepsEachKeysValuesAndSortsDistinctKeys(Seed seed) throws Exception {
    SplittableRandom rnd = seed.random();
    KeyOrder order = KeyOrder.RAW;
    HashSortBuffer buf = new HashSortBuffer(1 << 20);
    Map<String, List<Integer>> expected = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] k = ("k" + rnd.nextInt(500)).getBytes();
      byte[] v = {(byte) (i >>> 8), (byte) i};
      assertThat(buf.add(0, HashSortBuffer.hash(k, 0, k.length), k, 0, k.length, v, 0, 2))
          .isGreaterThanOrEqualTo(0);
      expected.computeIfAbsent(new String(k), x -> new ArrayList<>()).add(i & 0xffff);
    }
    buf.sort(order, 1);
    RecordStream s = buf.partition(0);
    List<String> keys = new ArrayList<>();
    Map<String, List<Integer>> got = new HashMap<>();
    while (s.next()) {
      String k = new String(s.keyBuf(), s.keyOff(), s.keyLen());
      if (keys.isEmpty() || !keys.get(keys.size() - 1).equals(k)) {
        assertThat(got).as("key %s appears in two runs", k).doesNotContainKey(k);
        keys.add(k);
      }
      got.computeIfAbsent(k, x -> new ArrayList<>())
          .add(((s.valBuf()[s.valOff()] & 0xff) << 8) | (s.valBuf()[s.valOff() + 1] & 0xff));
    }
    assertThat(keys).isSortedAccordingTo(Comparator.naturalOrder());
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, vs) -> assertThat(got.get(k)).containsExactlyInAnyOrderElementsOf(vs));
  }
}
