package dev.quern.examples.grep;

import dev.quern.api.serde.RawComparator;
import java.util.Arrays;

/**
 * Orders {@code Long} keys from largest to smallest. Long keys are stored big-endian with the
 * sign bit flipped, so their bytes compare unsigned in natural order; reversing that comparison
 * sorts without deserializing.
 */
public class DescendingLongComparator implements RawComparator<Long> {
  @Override
  public int compare(Long a, Long b) {
    return Long.compare(b, a);
  }

  @Override
  public int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
    return -Arrays.compareUnsigned(a, aOffset, aOffset + aLength, b, bOffset, bOffset + bLength);
  }
}
