package dev.quern.api.io;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Lines of UTF-8 text: the key is the byte offset where the line starts, the value the line
 * without its {@code \n} or {@code \r\n}. Splits cut files at byte offsets; a line belongs to the
 * split that holds its first byte, so each line is read exactly once however the file is cut.
 * Files ending in {@code .gz} are decompressed and read whole, by one task.
 *
 * <pre>{@code
 * Job.builder("grep").inputFormat(TextInputFormat.class) // the default
 * }</pre>
 */
public class TextInputFormat extends FileInputFormat<Long, String> {

  @Override
  protected boolean isSplittable(Path file) {
    return splittable(file);
  }

  /**
   * Whether a text file may be cut into several splits: any but a {@code .gz} one. For formats
   * that read lines with {@link LineRecordReader} and so share its rules ({@link LineInputFormat}
   * uses it).
   */
  public static boolean splittable(Path file) {
    return !LineRecordReader.isGzip(file);
  }

  @Override
  public RecordReader<Long, String> open(InputSplit split, Configuration conf) throws IOException {
    return new LineRecordReader(fileSplit(split), conf);
  }
}
