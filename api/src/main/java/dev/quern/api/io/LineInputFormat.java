package dev.quern.api.io;

import dev.quern.api.Configuration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Base of the formats whose records are parsed from lines of text. Splits, line rules and {@code
 * .gz} handling are those of {@link TextInputFormat}; a subclass only says, once per split, how a
 * line becomes a record, or that it is skipped.
 *
 * <pre>{@code
 * // "key=value" lines; blank ones skipped, others without '=' fail naming file and offset.
 * public class PropertiesInputFormat extends LineInputFormat<String, String> {
 *   protected LineParser<String, String> parser(FileSplit split, Configuration conf) {
 *     return (offset, line) -> {
 *       if (line.isBlank()) return null;
 *       int eq = line.indexOf('=');
 *       if (eq < 0) throw new IOException(split.path() + " at byte " + offset + ": no '='");
 *       return Map.entry(line.substring(0, eq), line.substring(eq + 1));
 *     };
 *   }
 * }
 * }</pre>
 *
 * @param <K> key type of the records
 * @param <V> value type of the records
 */
public abstract class LineInputFormat<K, V> extends FileInputFormat<K, V> {

  /** Turns the lines of one split into records. */
  @FunctionalInterface
  public interface LineParser<K, V> {
    /**
     * The record of the line that starts at byte {@code offset} of the file (the line without its
     * {@code \n} or {@code \r\n}), or null to skip the line. A bad line should fail with an
     * exception naming the file and the offset.
     */
    Map.Entry<K, V> parse(long offset, String line) throws IOException;
  }

  /**
   * The parser of one split, made in the map task before the split is opened: work that depends
   * only on the split or the configuration (e.g. which table a file belongs to) goes here, and
   * fails before any line is read.
   */
  protected abstract LineParser<K, V> parser(FileSplit split, Configuration conf)
      throws IOException;

  @Override
  protected boolean isSplittable(Path file) {
    return TextInputFormat.splittable(file);
  }

  @Override
  public RecordReader<K, V> open(InputSplit split, Configuration conf) throws IOException {
    FileSplit fs = fileSplit(split);
    LineParser<K, V> parser = parser(fs, conf);
    return new ParsingReader<>(
        new LineRecordReader(fs, TextInputFormat.charset(conf), conf), parser);
  }

  /** Skips the lines the parser drops; progress and bytes are those of the lines read. */
  private static final class ParsingReader<K, V> implements RecordReader<K, V> {
    private final LineRecordReader lines;
    private final LineParser<K, V> parser;
    private Map.Entry<K, V> record;

    ParsingReader(LineRecordReader lines, LineParser<K, V> parser) {
      this.lines = lines;
      this.parser = parser;
    }

    @Override
    public boolean next() throws IOException {
      while (lines.next()) {
        record = parser.parse(lines.key(), lines.value());
        if (record != null) {
          return true;
        }
      }
      return false;
    }

    @Override
    public K key() {
      return record.getKey();
    }

    @Override
    public V value() {
      return record.getValue();
    }

    @Override
    public float progress() {
      return lines.progress();
    }

    @Override
    public long bytesRead() {
      return lines.bytesRead();
    }

    @Override
    public String position() {
      return lines.position();
    }

    @Override
    public long malformedRecords() {
      return lines.malformedRecords();
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }
}
