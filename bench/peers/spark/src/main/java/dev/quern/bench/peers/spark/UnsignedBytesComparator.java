package dev.quern.bench.peers.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;

/** TeraSort's key order: bytes compared as unsigned, lexicographically. Serializable for Spark. */
final class UnsignedBytesComparator implements Comparator<byte[]>, Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }
}
