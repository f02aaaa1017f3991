package dev.quern.api.io;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Path;
import java.util.List;

/**
 * Lines of text (UTF-8 unless {@value #CHARSET} names another charset): the key is the byte offset where the line starts, the value the line
 * without its {@code \n} or {@code \r\n}. Splits cut files at byte offsets; a line belongs to the
 * split that holds its first byte, so each line is read exactly once however the file is cut.
 * Files ending in {@code .gz} are decompressed and read whole, by one task.
 *
 * <pre>{@code
 * Job.builder("grep").inputFormat(TextInputFormat.class) // the default
 * }</pre>
 */
public class TextInputFormat extends FileInputFormat<Long, String> {
  /**
   * The charset of text input, e.g. {@code ISO-8859-1} or {@code windows-1252} (default UTF-8).
   * It must be ASCII-compatible: lines are cut at the byte {@code \n}.
   */
  public static final String CHARSET = "quern.input.charset";

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

  /** Packs small files into {@link CombinedFileSplit}s when {@link #combines} says so. */
  @Override
  public List<InputSplit> splits(List<String> inputPaths, Configuration conf) throws IOException {
    List<InputSplit> splits = super.splits(inputPaths, conf);
    return combines(conf) ? CombinedSplits.pack(splits, CombinedSplits.maxSize(conf)) : splits;
  }

  /**
   * Whether small files are packed together: {@value CombinedSplits#COMBINE}, default false (one
   * task per file, as Hadoop's TextInputFormat; see {@link CombineTextInputFormat}).
   */
  protected boolean combines(Configuration conf) {
    return conf.getBoolean(CombinedSplits.COMBINE, false);
  }

  @Override
  public RecordReader<Long, String> open(InputSplit split, Configuration conf) throws IOException {
    Charset charset = charset(conf);
    if (split instanceof CombinedFileSplit c) {
      return new CombinedRecordReader<>(c, part -> new LineRecordReader(part, charset, conf));
    }
    return new LineRecordReader(fileSplit(split), charset, conf);
  }

  /**
   * The charset {@value #CHARSET} names (UTF-8 when unset). Throws {@link
   * IllegalArgumentException} naming the key for an unknown charset or one that is not
   * ASCII-compatible (UTF-16, UTF-32), whose lines cannot be cut at the byte {@code \n}.
   */
  public static Charset charset(Configuration conf) {
    String name = conf.get(CHARSET);
    if (name == null || name.isBlank()) {
      return StandardCharsets.UTF_8;
    }
    Charset c;
    try {
      c = Charset.forName(name.trim());
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new IllegalArgumentException("configuration entry '" + CHARSET
          + "' names no charset this JVM knows: '" + name + "'");
    }
    if (!asciiCompatible(c)) {
      throw new IllegalArgumentException("configuration entry '" + CHARSET + "' must name an "
          + "ASCII-compatible charset (lines are cut at the byte \\n), got '" + name + "'");
    }
    return c;
  }

  private static boolean asciiCompatible(Charset c) {
    if (!c.canEncode()) {
      return false;
    }
    byte[] b = "\n az09".getBytes(c);
    return java.util.Arrays.equals(b, "\n az09".getBytes(StandardCharsets.US_ASCII));
  }
}
