package dev.quern.examples.join;

import dev.quern.api.serde.RawComparator;
import java.util.Arrays;

/**
 * The sort order of the join's keys: by customer id, then customer row before orders, compared
 * as serialized bytes (see {@link JoinKey} for why byte order is that order).
 */
public class JoinKeyOrder implements RawComparator<JoinKey> {
  @Override
  public int compare(JoinKey a, JoinKey b) {
    return a.compareTo(b);
  }

  @Override
  public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
    return Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
  }
}
