package dev.quern.api.io;

import dev.quern.api.Configuration;

/**
 * {@link TextInputFormat} that packs small files into {@link CombinedFileSplit}s of up to {@value
 * CombinedSplits#MAX_SIZE} bytes (default: the split size, 64 MiB), as Hadoop's {@code
 * CombineTextInputFormat}: 20,000 files of 4 KB become two map tasks instead of 20,000. Records
 * are the same lines with the same keys (the offset within each file). A mapper that asks for
 * its {@code inputSplit()} sees a {@link CombinedFileSplit} when its task reads several files.
 *
 * <pre>{@code
 * Job.builder("logs").inputFormat(CombineTextInputFormat.class)
 *     .set(CombinedSplits.MAX_SIZE, "256m")
 * }</pre>
 */
public class CombineTextInputFormat extends TextInputFormat {

  /** Combines unless {@value CombinedSplits#COMBINE} is false. */
  @Override
  protected boolean combines(Configuration conf) {
    return conf.getBoolean(CombinedSplits.COMBINE, true);
  }
}
