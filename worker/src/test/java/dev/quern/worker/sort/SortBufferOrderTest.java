package dev.quern.worker.sort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.serde.RawComparator;
import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import dev.quern.worker.spill.RecordStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sort buffer's order against a stable {@code List.sort} of the same records, for the packed
 * radix path (unsigned byte order) and the comparator path. Values carry the insertion index, so
 * the check also covers stability.
 */
@ExtendWith(Seeds.class)
class SortBufferOrderTest {
  private static final KeyOrder BYTES = KeyOrder.of(null,
      Serdes.of(byte[].class, SortBufferOrderTest.class.getClassLoader()), byte[].class);

  private record Rec(int partition, byte[] key, int index) {}

  /** Keys of 0 to 40 bytes from a small alphabet: many equal keys, equal prefixes, empty keys. */
  @Test
  void radixPathMatchesStableSortOnKeysWithSharedPrefixes(Seed seed) {
    for (int round = 0; round < 3; round++) {
      SplittableRandom rnd = new SplittableRandom(seed.derive(round));
      List<Rec> recs = new ArrayList<>();
      int partitions = 1 + rnd.nextInt(5);
      for (int i = 0; i < 20_000; i++) {
        int len = rnd.nextInt(6) == 0 ? 0 : rnd.nextInt(41);
        byte[] k = new byte[len];
        for (int j = 0; j < len; j++) {
          k[j] = (byte) (rnd.nextInt(4) == 0 ? 0 : (j < 9 ? rnd.nextInt(2) * 255 : rnd.nextInt(256)));
        }
        recs.add(new Rec(rnd.nextInt(partitions), k, i));
      }
      check(recs, partitions, BYTES, Arrays::compareUnsigned, "round " + round);
    }
  }

  /** Random 10-byte keys (TeraSort's shape) with a few exact duplicates, many partitions. */
  @Test
  void radixPathMatchesStableSortOnRandomKeys(Seed seed) {
    SplittableRandom rnd = seed.random();
    List<Rec> recs = new ArrayList<>();
    int partitions = 300;
    for (int i = 0; i < 50_000; i++) {
      byte[] k = new byte[10];
      if (i > 0 && rnd.nextInt(50) == 0) {
        k = recs.get(rnd.nextInt(recs.size())).key().clone();
      } else {
        rnd.nextBytes(k);
      }
      recs.add(new Rec(rnd.nextInt(partitions), k, i));
    }
    check(recs, partitions, BYTES, Arrays::compareUnsigned, "random keys");
  }

  /** Long keys equal in their first 100 bytes: the order is decided far past the prefix. */
  @Test
  void radixPathComparesLongKeysPastThePrefix(Seed seed) {
    SplittableRandom rnd = seed.random();
    byte[] common = new byte[100];
    rnd.nextBytes(common);
    List<Rec> recs = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] k = Arrays.copyOf(common, 100 + rnd.nextInt(30));
      for (int j = 100; j < k.length; j++) {
        k[j] = (byte) rnd.nextInt(3);
      }
      recs.add(new Rec(rnd.nextInt(2), k, i));
    }
    check(recs, 2, BYTES, Arrays::compareUnsigned, "long keys");
  }

  @Test
  void emptyAndSingleRecordBuffersSort() {
    SortBuffer buf = new SortBuffer(1 << 16);
    buf.sort(BYTES, 3);
    for (int p = 0; p < 3; p++) {
      assertThat(drain(buf, p)).isEmpty();
    }
    check(List.of(new Rec(1, new byte[0], 0)), 2, BYTES, Arrays::compareUnsigned, "one record");
  }

  /** A buffer built on a released buffer's arrays sees none of the old records. */
  @Test
  void releasedArraysServeTheNextBuffer(Seed seed) {
    SplittableRandom rnd = seed.random();
    for (int round = 0; round < 4; round++) {
      List<Rec> recs = new ArrayList<>();
      int n = round % 2 == 0 ? 30_000 : 500;
      for (int i = 0; i < n; i++) {
        byte[] k = new byte[1 + rnd.nextInt(12)];
        rnd.nextBytes(k);
        recs.add(new Rec(rnd.nextInt(2), k, i));
      }
      check(recs, 2, BYTES, Arrays::compareUnsigned, "buffer " + round);
    }
  }

  /** A job comparator (descending bytes) takes the comparator path. */
  @Test
  void customComparatorOrder(Seed seed) {
    SplittableRandom rnd = seed.random();
    RawComparator<byte[]> descending = new RawComparator<>() {
      @Override
      public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
        return Arrays.compareUnsigned(b, bo, bo + bl, a, ao, ao + al);
      }

      @Override
      public int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(b, a);
      }
    };
    KeyOrder order = KeyOrder.of(descending,
        Serdes.of(byte[].class, getClass().getClassLoader()), byte[].class);
    List<Rec> recs = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] k = new byte[rnd.nextInt(12)];
      for (int j = 0; j < k.length; j++) {
        k[j] = (byte) rnd.nextInt(3);
      }
      recs.add(new Rec(rnd.nextInt(3), k, i));
    }
    check(recs, 3, order, (a, b) -> Arrays.compareUnsigned(b, a), "descending");
  }

  private static void check(List<Rec> recs, int partitions, KeyOrder order,
      Comparator<byte[]> keyOrder, String what) {
    int bytes = recs.stream().mapToInt(r -> r.key().length + 4).sum();
    SortBuffer buf = new SortBuffer(bytes + (long) recs.size() * SortBuffer.RECORD_OVERHEAD);
    for (Rec r : recs) {
      byte[] v = {(byte) (r.index() >>> 24), (byte) (r.index() >>> 16), (byte) (r.index() >>> 8),
          (byte) r.index()};
      assertThat(buf.add(r.partition(), r.key(), r.key().length, v, 4)).isTrue();
    }
    buf.sort(order, partitions);
    for (int p = 0; p < partitions; p++) {
      int part = p;
      List<Rec> want = new ArrayList<>(recs.stream().filter(r -> r.partition() == part).toList());
      want.sort(Comparator.comparing(Rec::key, keyOrder));
      List<Rec> got = drain(buf, p);
      assertThat(got).as("%s, partition %d", what, p).hasSameSizeAs(want);
      for (int i = 0; i < want.size(); i++) {
        assertThat(got.get(i).index()).as("%s, partition %d position %d", what, p, i)
            .isEqualTo(want.get(i).index());
        assertThat(got.get(i).key()).isEqualTo(want.get(i).key());
      }
    }
    buf.release();
  }

  private static List<Rec> drain(SortBuffer buf, int p) {
    List<Rec> out = new ArrayList<>();
    RecordStream s = buf.partition(p);
    try {
      while (s.next()) {
        byte[] v = s.valBuf();
        int o = s.valOff();
        int index = ((v[o] & 0xff) << 24) | ((v[o + 1] & 0xff) << 16) | ((v[o + 2] & 0xff) << 8)
            | (v[o + 3] & 0xff);
        out.add(new Rec(p, Arrays.copyOfRange(s.keyBuf(), s.keyOff(), s.keyOff() + s.keyLen()),
            index));
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
