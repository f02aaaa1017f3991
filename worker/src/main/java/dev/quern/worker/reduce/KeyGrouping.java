package dev.quern.worker.reduce;

import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.serde.RawComparator;
import dev.quern.api.serde.Serde;
import dev.quern.worker.sort.KeyOrder;
import java.util.Arrays;
import java.util.Comparator;

/** Decides whether two consecutive sorted keys belong to one reduce group. */
@FunctionalInterface
public interface KeyGrouping {

  boolean sameGroup(byte[] a, int ao, int al, byte[] b, int bo, int bl);

  /**
   * The job's grouping: its grouping comparator when set (raw when it is a {@link
   * RawComparator}), else equality under the sort order.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <K> KeyGrouping of(Comparator<? super K> grouping, Serde<K> serde, KeyOrder sortOrder) {
    if (grouping == null) {
      if (sortOrder.bytesEqualMeansEqual()) {
        return (a, ao, al, b, bo, bl) -> Arrays.equals(a, ao, ao + al, b, bo, bo + bl);
      }
      return (a, ao, al, b, bo, bl) -> sortOrder.compare(a, ao, al, b, bo, bl) == 0;
    }
    if (grouping instanceof RawComparator raw) {
      return (a, ao, al, b, bo, bl) -> raw.compare(a, ao, al, b, bo, bl) == 0;
    }
    Input left = new Input();
    Input right = new Input();
    return (a, ao, al, b, bo, bl) -> {
      left.setBuffer(a, ao, al);
      right.setBuffer(b, bo, bl);
      return ((Comparator) grouping).compare(serde.read(left), serde.read(right)) == 0;
    };
  }
}
