package dev.quern.api.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order-preserving serdes: for every pair of values, comparing their bytes (unsigned,
 * lexicographically) gives the sign of the type's natural comparison, and every value reads back
 * equal to what was written. Each type gets its edge values and 300 drawn from the test's seed.
 */
@ExtendWith(Seeds.class)
class SerdeOrderTest {
  private static final ClassLoader LOADER = SerdeOrderTest.class.getClassLoader();

  @Test
  void longs(Seed seed) {
    check(Long.class, Long::compare, Long::equals, values(seed,
        List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -256L, -1L, 0L, 1L, 255L, 256L,
            Long.MAX_VALUE - 1, Long.MAX_VALUE),
        r -> r.nextInt(3) == 0 ? (long) r.nextInt(1000) - 500 : r.nextLong()));
  }

  @Test
  void integers(Seed seed) {
    check(Integer.class, Integer::compare, Integer::equals, values(seed,
        List.of(Integer.MIN_VALUE, -65536, -1, 0, 1, 127, 128, 255, 256, Integer.MAX_VALUE),
        r -> r.nextInt(3) == 0 ? r.nextInt(1000) - 500 : r.nextInt()));
  }

  @Test
  void doublesIncludingNegativeZeroInfinitiesAndNaN(Seed seed) {
    List<Double> edges = List.of(Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.5, -1.0,
        -Double.MIN_NORMAL, -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, Double.MIN_NORMAL,
        1.0, 1.5, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN);
    check(Double.class, Double::compare, (a, b) -> Double.compare(a, b) == 0, values(seed, edges,
        r -> switch (r.nextInt(3)) {
          case 0 -> Double.longBitsToDouble(r.nextLong());
          case 1 -> (r.nextDouble() - 0.5) * 1e6;
          default -> (double) (r.nextInt(21) - 10);
        }));
  }

  @Test
  void stringsInCodePointOrder(Seed seed) {
    String[] alphabet = {"", "a", "b", "z", "A", "é", "ÿ", "Ā", "漢", "\uE000", "\uFFFD", "🙂",
        "😀", "\u0000", "\u007f"};
    check(String.class, SerdeOrderTest::compareCodePoints, String::equals, values(seed,
        List.of("", "a", "aa", "ab", "b", "\uFFFF", "🙂", "\uE000"),
        r -> {
          StringBuilder sb = new StringBuilder();
          int n = r.nextInt(6);
          for (int i = 0; i < n; i++) {
            sb.append(alphabet[r.nextInt(alphabet.length)]);
          }
          return sb.toString();
        }));
  }

  @Test
  void byteArraysUnsigned(Seed seed) {
    check(byte[].class, Arrays::compareUnsigned, Arrays::equals, values(seed,
        List.of(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {1},
            new byte[] {(byte) 0x7f}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xff}),
        r -> {
          byte[] b = new byte[r.nextInt(5)];
          r.nextBytes(b);
          return b;
        }));
  }

  record Point(String name, int x, List<Long> tags) {}

  @Test
  void otherTypesRoundTripThroughKryo() {
    Serde<Point> serde = Serdes.of(Point.class, LOADER);
    Point p = new Point("north", -3, new ArrayList<>(List.of(1L, 2L)));
    assertThat(serde.rawOrdered()).isFalse();
    assertThat(roundTrip(serde, p)).isEqualTo(p);
  }

  @Test
  void serdesByClassNameFailNamingAMissingClass() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Serdes.of("no.such.Type", LOADER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("class no.such.Type not found");
  }

  private static int compareCodePoints(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private interface Gen<T> {
    T next(SplittableRandom r);
  }

  private static <T> List<T> values(Seed seed, List<T> edges, Gen<T> gen) {
    SplittableRandom r = seed.random();
    List<T> all = new ArrayList<>(edges);
    for (int i = 0; i < 300; i++) {
      all.add(gen.next(r));
    }
    return all;
  }

  private interface Eq<T> {
    boolean test(T a, T b);
  }

  private static <T> void check(Class<T> type, Comparator<T> natural, Eq<T> eq, List<T> values) {
    Serde<T> serde = Serdes.of(type, LOADER);
    assertThat(serde.rawOrdered()).as("%s serde is raw-ordered", type.getSimpleName()).isTrue();
    List<byte[]> bytes = new ArrayList<>();
    for (T v : values) {
      byte[] b = write(serde, v);
      bytes.add(b);
      T back = serde.read(new Input(b));
      assertThat(eq.test(back, v)).as("%s reads back as %s", show(v), show(back)).isTrue();
    }
    for (int i = 0; i < values.size(); i++) {
      for (int j = 0; j < values.size(); j++) {
        T a = values.get(i);
        T b = values.get(j);
        int expected = Integer.signum(natural.compare(a, b));
        int actual = Integer.signum(Arrays.compareUnsigned(bytes.get(i), bytes.get(j)));
        if (expected != actual) {
          Supplier<String> why = () -> String.format("%s vs %s: natural %d, bytes %d",
              show(a), show(b), expected, actual);
          assertThat(actual).as(why.get()).isEqualTo(expected);
        }
      }
    }
  }

  private static <T> byte[] write(Serde<T> serde, T v) {
    Output out = new Output(16, -1);
    serde.write(v, out);
    return out.toBytes();
  }

  private static <T> T roundTrip(Serde<T> serde, T v) {
    return serde.read(new Input(write(serde, v)));
  }

  private static String show(Object v) {
    return v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v);
  }
}
