package dev.quern.worker.spill;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens the files that sorted runs are read from (spills, map outputs, reduce merge passes) and
 * counts how many are open in this process now and at most. Merges hold one file per input, so
 * the peak shows that the merge factor ({@code quern.sort.factor}) bounds them: tests assert on
 * it rather than on file-descriptor limits or timing.
 */
public final class RunFiles {
  private static final AtomicInteger OPEN = new AtomicInteger();
  private static final AtomicInteger PEAK = new AtomicInteger();

  private RunFiles() {}

  /** Opens {@code file} for reading; close it with {@link #close}. */
  public static FileChannel open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    PEAK.accumulateAndGet(OPEN.incrementAndGet(), Math::max);
    return ch;
  }

  /** Closes a channel from {@link #open}; each must be closed exactly once. */
  public static void close(FileChannel ch) throws IOException {
    OPEN.decrementAndGet();
    ch.close();
  }

  /** Run files open in this process now. */
  public static int open() {
    return OPEN.get();
  }

  /** The most run files open at once since the last {@link #resetPeak}. */
  public static int peak() {
    return PEAK.get();
  }

  /** Starts a new peak from the files open now. */
  public static void resetPeak() {
    PEAK.set(OPEN.get());
  }
}
