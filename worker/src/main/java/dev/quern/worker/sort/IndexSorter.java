package dev.quern.worker.sort;

/**
 * Sorts a range of an int array of record ids with a comparator over ids, without an object per
 * record: a stable merge sort with insertion sort for short runs.
 */
public final class IndexSorter {
  private static final int INSERTION = 12;

  /** Compares two record ids. */
  @FunctionalInterface
  public interface IdComparator {
    int compare(int a, int b);
  }

  private IndexSorter() {}

  /** Sorts {@code ids[from, to)}; {@code tmp} must have at least {@code to} elements. */
  public static void sort(int[] ids, int[] tmp, int from, int to, IdComparator c) {
    if (to - from < 2) {
      return;
    }
    System.arraycopy(ids, from, tmp, from, to - from);
    mergeSort(tmp, ids, from, to, c);
  }

  // Sorts src[from,to) into dst[from,to); src and dst hold the same elements on entry.
  private static void mergeSort(int[] src, int[] dst, int from, int to, IdComparator c) {
    int n = to - from;
    if (n <= INSERTION) {
      for (int i = from + 1; i < to; i++) {
        int x = dst[i];
        int j = i - 1;
        while (j >= from && c.compare(dst[j], x) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid, c);
    mergeSort(dst, src, mid, to, c);
    if (c.compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, n);
      return;
    }
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && c.compare(src[i], src[j]) <= 0)) {
        dst[k] = src[i++];
      } else {
        dst[k] = src[j++];
      }
    }
  }
}
