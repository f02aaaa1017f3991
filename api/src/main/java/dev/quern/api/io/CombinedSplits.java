package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs file splits into {@link CombinedFileSplit}s of up to {@value #MAX_SIZE} bytes (default:
 * {@value FileInputFormat#SPLIT_SIZE}, itself 64 MiB by default), in the order given, so that
 * thousands of small files become a handful of map tasks. A file larger than the target was
 * already cut into splits of the split size by {@link FileInputFormat}; such a split, or any
 * group that holds a single split, stays a plain {@link FileSplit}. Splits that are not file
 * splits pass through unchanged.
 */
public final class CombinedSplits {
  /** The most bytes one combined split holds; accepts k/m/g suffixes. */
  public static final String MAX_SIZE = "quern.input.combine.max-size";

  /**
   * Whether {@link TextInputFormat} combines small files (default false, as Hadoop's
   * TextInputFormat; {@link CombineTextInputFormat} combines by default).
   */
  public static final String COMBINE = "quern.input.combine";

  private CombinedSplits() {}

  /** The target size for {@code conf}: {@link #MAX_SIZE}, else the split size. */
  public static long maxSize(Configuration conf) {
    long size = Sizes.get(conf, MAX_SIZE,
        Sizes.get(conf, FileInputFormat.SPLIT_SIZE, FileInputFormat.DEFAULT_SPLIT_SIZE));
    if (size <= 0) {
      throw new IllegalArgumentException(MAX_SIZE + " must be positive, got " + size);
    }
    return size;
  }

  /** Packs {@code splits} greedily, in order, into groups of at most {@code maxSize} bytes. */
  public static List<InputSplit> pack(List<InputSplit> splits, long maxSize) {
    List<InputSplit> out = new ArrayList<>();
    List<FileSplit> group = new ArrayList<>();
    long groupBytes = 0;
    for (InputSplit s : splits) {
      if (!(s instanceof FileSplit f)) {
        out.add(s);
        continue;
      }
      if (!group.isEmpty() && groupBytes + f.length() > maxSize) {
        out.add(close(group));
        group = new ArrayList<>();
        groupBytes = 0;
      }
      group.add(f);
      groupBytes += f.length();
    }
    if (!group.isEmpty()) {
      out.add(close(group));
    }
    return out;
  }

  private static InputSplit close(List<FileSplit> group) {
    return group.size() == 1 ? group.get(0) : new CombinedFileSplit(group);
  }
}
