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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hash sort buffer against a HashMap of lists over seeded random keys and values. */
@ExtendWith(Seeds.class)
class HashSortBufferTest {
  private static final int PARTITIONS = 3;

  /** A key as a map key: bytes compare by content. */
  private record Key(String hex) {
    static Key of(byte[] b, int off, int len) {
      StringBuilder sb = new StringBuilder();
      for (int i = off; i < off + len; i++) {
        sb.append(String.format("%02x", b[i] & 0xff));
      }
      return new Key(sb.toString());
    }
  }

  /** A value as a list element: null stays null, bytes compare by content. */
  private record Val(String hex) {
    static Val of(byte[] b, int off, int len) {
      return len < 0 ? new Val(null) : new Val(Key.of(b, off, len).hex());
    }
  }

  /**
   * Keys of 0 to 24 bytes drawn from a small alphabet (so many share their first 8 bytes, and
   * keys of up to 8 bytes end in zero bytes), values of -1 (null) to 300 bytes, and random folds
   * (a key's values dropped and replaced by one), until the budget runs out.
   */
  @ParameterizedTest(name = "round {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void holdsWhatAHashMapHoldsAndSortsLikeTheKeyOrder(int round, Seed seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed.derive(round));
    long budget = 64 << 10 << rnd.nextInt(4);
    HashSortBuffer buf = new HashSortBuffer(budget);
    Map<Key, List<Val>> expected = new HashMap<>();
    Map<Key, Integer> partitionOf = new HashMap<>();
    byte[][] vocab = new byte[200 + rnd.nextInt(2000)][];
    for (int i = 0; i < vocab.length; i++) {
      vocab[i] = new byte[rnd.nextInt(25)];
      for (int j = 0; j < vocab[i].length; j++) {
        vocab[i][j] = (byte) (rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(4) * 85);
      }
    }
    int added = 0;
    while (true) {
      byte[] raw = vocab[(int) Math.min(vocab.length - 1, Math.abs(rnd.nextGaussian()) * 300)];
      // Keys sit at an offset inside a larger array, as they do in the collector's buffers.
      int ko = rnd.nextInt(5);
      byte[] k = new byte[ko + raw.length + rnd.nextInt(3)];
      System.arraycopy(raw, 0, k, ko, raw.length);
      int vl = rnd.nextInt(10) == 0 ? 300 - rnd.nextInt(200) : rnd.nextInt(12) - 1;
      byte[] v = new byte[Math.max(vl, 0) + 2];
      rnd.nextBytes(v);
      Key key = Key.of(k, ko, raw.length);
      int part = partitionOf.computeIfAbsent(key, x -> rnd.nextInt(PARTITIONS));
      int hash = HashSortBuffer.hash(k, ko, raw.length);
      assertThat(hash).isEqualTo(HashSortBuffer.hash(raw, 0, raw.length));
      int head = rnd.nextBoolean()
          ? buf.addIfPresent(hash, k, ko, raw.length, v, 1, vl)
          : -1;
      if (head < 0) {
        head = buf.add(part, hash, k, ko, raw.length, v, 1, vl);
      }
      if (head < 0) {
        break;
      }
      added++;
      expected.computeIfAbsent(key, x -> new ArrayList<>()).add(Val.of(v, 1, vl));
      assertThat(buf.partitionOf(head)).isEqualTo(part);
      assertThat(buf.sameKey(head, k, ko, raw.length)).isTrue();
      assertThat(buf.valueCount(head)).isEqualTo(expected.get(key).size());
      if (rnd.nextInt(20) == 0) {
        List<Val> vals = new ArrayList<>();
        RecordStream s = buf.values(head);
        while (s.next()) {
          assertThat(Key.of(s.keyBuf(), s.keyOff(), s.keyLen())).isEqualTo(key);
          vals.add(Val.of(s.valBuf(), s.valOff(), s.valLen()));
        }
        assertThat(vals).containsExactlyInAnyOrderElementsOf(expected.get(key));
        buf.clearValues(head);
        expected.remove(key);
        assertThat(buf.valueCount(head)).isZero();
        if (buf.add(part, hash, k, ko, raw.length, v, 0, 1) >= 0) {
          expected.computeIfAbsent(key, x -> new ArrayList<>()).add(Val.of(v, 0, 1));
        }
      }
    }
    assertThat(added).isGreaterThan(100);
    assertThat(buf.count()).isEqualTo(expected.values().stream().mapToInt(List::size).sum());

    KeyOrder reversed = (a, ao, al, b, bo, bl) ->
        Arrays.compareUnsigned(b, bo, bo + bl, a, ao, ao + al);
    for (KeyOrder order : List.of(KeyOrder.of(null,
        Serdes.of(byte[].class, getClass().getClassLoader()), byte[].class), reversed)) {
      buf.sort(order, PARTITIONS);
      Map<Key, List<Val>> got = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        RecordStream s = buf.partition(p);
        byte[] last = null;
        while (s.next()) {
          byte[] kb = Arrays.copyOfRange(s.keyBuf(), s.keyOff(), s.keyOff() + s.keyLen());
          Key key = Key.of(kb, 0, kb.length);
          if (last == null || !Arrays.equals(last, kb)) {
            assertThat(got).as("key %s appears twice", key).doesNotContainKey(key);
            if (last != null) {
              assertThat(order.compare(last, 0, last.length, kb, 0, kb.length))
                  .as("order at %s", key).isNegative();
            }
            assertThat(partitionOf.get(key)).isEqualTo(p);
          }
          last = kb;
          got.computeIfAbsent(key, x -> new ArrayList<>())
              .add(Val.of(s.valBuf(), s.valOff(), s.valLen()));
        }
      }
      expected.values().removeIf(List::isEmpty);
      assertThat(got.keySet()).isEqualTo(expected.keySet());
      expected.forEach((key, vs) -> assertThat(got.get(key)).as("key %s", key)
          .containsExactlyInAnyOrderElementsOf(vs));
    }

    buf.reset();
    assertThat(buf.count()).isZero();
    assertThat(buf.distinctKeys()).isZero();
    byte[] k = {1, 2, 3};
    assertThat(buf.addIfPresent(HashSortBuffer.hash(k, 0, 3), k, 0, 3, k, 0, 1)).isNegative();
  }

  @Test
  void valuesOfAKeyAndAllKeysSurviveTableGrowth() {
    HashSortBuffer buf = new HashSortBuffer(64 << 20);
    int n = 100_000;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < n; i++) {
        byte[] k = ("key-" + i).getBytes();
        byte[] v = {(byte) round};
        assertThat(buf.add(i % PARTITIONS, HashSortBuffer.hash(k, 0, k.length), k, 0, k.length,
            v, 0, 1)).isEqualTo(i);
      }
    }
    assertThat(buf.distinctKeys()).isEqualTo(n);
    assertThat(buf.count()).isEqualTo(3 * n);
    buf.sort(KeyOrder.RAW, PARTITIONS);
    List<String> keys = new ArrayList<>();
    RecordStream s = buf.partition(1);
    try {
      while (s.next()) {
        keys.add(new String(s.keyBuf(), s.keyOff(), s.keyLen()));
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    List<String> want = new ArrayList<>();
    for (int i = 1; i < n; i += PARTITIONS) {
      for (int r = 0; r < 3; r++) {
        want.add("key-" + i);
      }
    }
    want.sort(Comparator.naturalOrder());
    assertThat(keys).isEqualTo(want);
  }
}
