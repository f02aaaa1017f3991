package dev.quern.api.io;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads the parts of a {@link CombinedFileSplit} one after the other, each with the reader its
 * format opens for a plain {@link FileSplit}. An error while opening or reading a part names the
 * file, the byte offset reached and the part's place in the split.
 */
public final class CombinedRecordReader<K, V> implements RecordReader<K, V> {

  /** Opens the reader of one part. */
  @FunctionalInterface
  public interface PartOpener<K, V> {
    RecordReader<K, V> open(FileSplit part) throws IOException;
  }

  private final CombinedFileSplit split;
  private final PartOpener<K, V> opener;
  private final long total;
  private int index = -1;
  private RecordReader<K, V> current;
  /** Bytes of the parts read to their end, and their length. */
  private long doneBytesRead;
  private long doneLength;

  public CombinedRecordReader(CombinedFileSplit split, PartOpener<K, V> opener) {
    this.split = split;
    this.opener = opener;
    this.total = split.length();
  }

  @Override
  public boolean next() throws IOException {
    while (true) {
      if (current != null) {
        boolean more;
        try {
          more = current.next();
        } catch (IOException | UncheckedIOException e) {
          throw failure("reading", e);
        }
        if (more) {
          return true;
        }
        FileSplit part = split.parts().get(index);
        doneBytesRead += current.bytesRead();
        doneLength += part.length();
        RecordReader<K, V> finished = current;
        current = null;
        finished.close();
      }
      if (index + 1 >= split.parts().size()) {
        return false;
      }
      index++;
      try {
        current = opener.open(split.parts().get(index));
      } catch (IOException | UncheckedIOException e) {
        throw failure("opening", e);
      }
    }
  }

  private IOException failure(String what, Exception e) {
    FileSplit part = split.parts().get(index);
    long offset = part.start() + (current == null ? 0 : current.bytesRead());
    return new IOException(what + " " + part.path() + " at byte " + offset + " (part "
        + (index + 1) + " of " + split.parts().size() + " of a combined split, " + part.describe()
        + "): " + e.getMessage(), e);
  }

  /** The part being read, or null before the first and after the last. */
  public FileSplit currentPart() {
    return current == null ? null : split.parts().get(index);
  }

  @Override
  public K key() {
    return current.key();
  }

  @Override
  public V value() {
    return current.value();
  }

  @Override
  public float progress() {
    if (total == 0) {
      return current == null && index >= 0 ? 1f : 0f;
    }
    long part = current == null ? 0
        : (long) (current.progress() * split.parts().get(index).length());
    return Math.min(1f, (doneLength + part) / (float) total);
  }

  @Override
  public long bytesRead() {
    return doneBytesRead + (current == null ? 0 : current.bytesRead());
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      RecordReader<K, V> c = current;
      current = null;
      c.close();
    }
  }
}
