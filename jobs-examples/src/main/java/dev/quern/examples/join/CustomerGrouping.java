package dev.quern.examples.join;

import dev.quern.api.serde.RawComparator;
import java.util.Arrays;

/**
 * Groups the join's keys by customer id alone, ignoring the tag, so one reduce call sees a
 * customer's row and all its orders. On bytes: everything but the last two (the zero separator
 * and the tag), see {@link JoinKey}.
 */
public class CustomerGrouping implements RawComparator<JoinKey> {
  @Override
  public int compare(JoinKey a, JoinKey b) {
    return JoinKey.compareIds(a.customerId(), b.customerId());
  }

  @Override
  public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
    return Arrays.compareUnsigned(a, ao, ao + al - 2, b, bo, bo + bl - 2);
  }
}
