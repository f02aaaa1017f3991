package dev.quern.api.serde;

import java.util.Comparator;

/**
 * A sort or grouping comparator that can also compare serialized keys directly, which spares the
 * sort from deserializing. Use it as a job's sort comparator when the key's serde is known.
 *
 * <pre>{@code
 * // Sorts Long keys in descending order, straight from their order-preserving bytes.
 * public class Descending implements RawComparator<Long> {
 *   public int compare(Long a, Long b) { return Long.compare(b, a); }
 *   public int compare(byte[] a, int ao, int al, byte[] b, int bo, int bl) {
 *     return -Arrays.compareUnsigned(a, ao, ao + al, b, bo, bo + bl);
 *   }
 * }
 * }</pre>
 */
public interface RawComparator<T> extends Comparator<T> {

  int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength);
}
