package dev.quern.worker.merge;

import java.util.Arrays;

/**
 * Plans the passes that bring n sorted runs down to at most {@code factor}, merging neighbours
 * only, so that equal keys keep the order of the runs (a map's spills: the order the mapper
 * emitted them). Each pass rewrites as little as it can: when one more pass suffices it merges
 * just enough runs that the final merge takes exactly {@code factor} (as Hadoop's first pass
 * does); otherwise it merges every run, {@code factor} at a time.
 */
public final class MergePlan {
  private MergePlan() {}

  /**
   * The next pass over {@code n} runs in order: consecutive group sizes adding up to {@code n},
   * each group merged into one run (a group of 1 is left as it is). Empty when {@code n <=
   * factor}: no pass is needed.
   */
  public static int[] nextPass(int n, int factor) {
    if (factor < 2) {
      throw new IllegalArgumentException("merge factor must be at least 2, got " + factor);
    }
    if (n <= factor) {
      return new int[0];
    }
    if ((long) n <= (long) factor * factor) {
      // One pass, then the final merge: remove n - factor runs; a merge of g runs removes g - 1.
      int excess = n - factor;
      int full = excess / (factor - 1);
      int rest = excess % (factor - 1);
      int groups = full + (rest > 0 ? 1 : 0);
      int[] sizes = new int[groups + (n - excess - groups)];
      int i = 0;
      if (rest > 0) {
        sizes[i++] = rest + 1;
      }
      for (int g = 0; g < full; g++) {
        sizes[i++] = factor;
      }
      Arrays.fill(sizes, i, sizes.length, 1);
      return sizes;
    }
    int[] sizes = new int[(n + factor - 1) / factor];
    Arrays.fill(sizes, factor);
    if (n % factor != 0) {
      sizes[sizes.length - 1] = n % factor;
    }
    return sizes;
  }
}
