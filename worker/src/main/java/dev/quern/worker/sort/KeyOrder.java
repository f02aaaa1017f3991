package dev.quern.worker.sort;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.serde.RawComparator;
import dev.quern.api.serde.Serde;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Compares serialized keys. The fast orders compare bytes; the fallback deserializes both keys
 * and asks a {@link Comparator} (the job's, or the key class's natural order).
 */
public interface KeyOrder {

  int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl);

  /** Unsigned lexicographic byte order: for raw-ordered serdes without a job comparator. */
  KeyOrder RAW = (a, ao, al, b, bo, bl) -> Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);

  /** True when equal keys compare equal as bytes, so equality is a byte comparison. */
  default boolean bytesEqualMeansEqual() {
    return false;
  }

  /**
   * The order of a job's map output keys: {@code comparator} may be null (natural order).
   *
   * @param keyClass names the key type in errors
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <K> KeyOrder of(Comparator<? super K> comparator, Serde<K> serde, Class<?> keyClass) {
    if (comparator == null) {
      if (serde.rawOrdered()) {
        return new KeyOrder() {
          @Override
          public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
            return Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
          }

          @Override
          public boolean bytesEqualMeansEqual() {
            return true;
          }
        };
      }
      if (!Comparable.class.isAssignableFrom(keyClass)) {
        throw new IllegalArgumentException("map output key class " + keyClass.getName()
            + " is not Comparable and the job sets no sort comparator");
      }
      return new Deserializing<>(serde, (Comparator) Comparator.naturalOrder());
    }
    if (comparator instanceof RawComparator<?> raw) {
      return raw::compare;
    }
    return new Deserializing<>(serde, comparator);
  }

  /** Deserializes both keys for every comparison; used only when bytes cannot be compared. */
  final class Deserializing<K> implements KeyOrder {
    private final Serde<K> serde;
    private final Comparator<? super K> comparator;
    private final Input left = new Input();
    private final Input right = new Input();

    Deserializing(Serde<K> serde, Comparator<? super K> comparator) {
      this.serde = serde;
      this.comparator = comparator;
    }

    @Override
    public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
      left.setBuffer(a, ao, al);
      right.setBuffer(b, bo, bl);
      return comparator.compare(serde.read(left), serde.read(right));
    }
  }
}
