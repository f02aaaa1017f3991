package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the lines of one {@link FileSplit}.
 *
 * <p>The rule that makes splits exact: a line belongs to the split that contains its first byte.
 * A split that does not start the file begins reading one byte early and drops everything up to
 * and including the first {@code \n}; so if the byte before the split is a newline, the line that
 * starts exactly at the split's start is kept. A line that starts inside the split is read to its
 * end even past the split's end.
 *
 * <pre>{@code
 * try (var r = new LineRecordReader(new FileSplit("a.txt", 0, 100, List.of()))) {
 *   while (r.next()) use(r.key(), r.value());
 * }
 * }</pre>
 */
public final class LineRecordReader implements RecordReader<Long, String> {
  private static final int BUFFER = 64 * 1024;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final FileSplit split;
  private final InputStream in;
  private final long end;
  private final byte[] buf = new byte[BUFFER];
  private int bufPos;
  private int bufLen;
  private byte[] line = new byte[256];
  private long pos;
  /** Where this split's first own line starts: bytes before it belong to the previous split. */
  private long ownStart;
  private long key;
  private String value;
  private boolean eof;

  public LineRecordReader(FileSplit split) throws IOException {
    this(split, Configuration.empty());
  }

  /** Reads a split of a file on any filesystem ({@link FileSystems}), configured by {@code conf}. */
  public LineRecordReader(FileSplit split, Configuration conf) throws IOException {
    this.split = split;
    Path path = Path.of(split.path());
    long seek = isGzip(path) || split.start() == 0 ? 0 : split.start() - 1;
    InputStream ch = FileSystems.get(split.path(), conf).open(split.path(), seek);
    try {
      if (isGzip(path)) {
        if (split.start() != 0) {
          throw new IOException("gzip file " + split.path() + " cannot be split at "
              + split.start());
        }
        this.in = new GZIPInputStream(ch, BUFFER);
        this.end = Long.MAX_VALUE;
        this.pos = 0;
      } else {
        this.in = ch;
        this.end = split.end();
        this.pos = seek;
        if (split.start() != 0) {
          skipThroughNewline();
        }
      }
      this.ownStart = pos;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  static boolean isGzip(Path file) {
    return file.getFileName().toString().endsWith(".gz");
  }

  private void skipThroughNewline() throws IOException {
    while (true) {
      if (bufPos == bufLen && !fill()) {
        return;
      }
      byte b = buf[bufPos++];
      pos++;
      if (b == '\n') {
        return;
      }
    }
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      eof = true;
      return false;
    }
    bufPos = 0;
    bufLen = n;
    return true;
  }

  /**
   * The index of the first {@code \n} in {@code b[from, to)}, or -1: eight bytes at a step (a
   * byte equal to {@code \n} is a zero byte of the word XOR {@code 0x0a0a...}; the lowest flagged
   * byte is exact).
   */
  static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONG_LE.get(b, i) ^ 0x0a0a0a0a0a0a0a0aL;
      long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
      if (t != 0) {
        return i + (Long.numberOfTrailingZeros(t) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean next() throws IOException {
    if (pos >= end) {
      return false;
    }
    long start = pos;
    if (bufPos < bufLen) {
      // Most lines lie whole in the buffer: decode them from there, without a copy.
      int from = bufPos;
      int nl = indexOfNewline(buf, from, bufLen);
      if (nl >= 0) {
        int n = nl - from;
        bufPos = nl + 1;
        pos += n + 1;
        if (n > 0 && buf[nl - 1] == '\r') {
          n--;
        }
        key = start;
        value = new String(buf, from, n, StandardCharsets.UTF_8);
        return true;
      }
    }
    int len = 0;
    boolean sawAny = false;
    while (true) {
      if (bufPos == bufLen && !fill()) {
        break;
      }
      sawAny = true;
      int from = bufPos;
      int nl = indexOfNewline(buf, from, bufLen);
      int stop = nl < 0 ? bufLen : nl;
      int chunk = stop - from;
      if (len + chunk > line.length) {
        line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + chunk));
      }
      System.arraycopy(buf, from, line, len, chunk);
      len += chunk;
      if (nl >= 0) {
        bufPos = nl + 1;
        pos += chunk + 1;
        break;
      }
      bufPos = bufLen;
      pos += chunk;
    }
    if (!sawAny) {
      return false;
    }
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    key = start;
    value = new String(line, 0, len, StandardCharsets.UTF_8);
    return true;
  }

  @Override
  public Long key() {
    return key;
  }

  @Override
  public String value() {
    return value;
  }

  @Override
  public float progress() {
    if (end == Long.MAX_VALUE) {
      return eof ? 1f : 0f;
    }
    long len = Math.max(1, split.length());
    return Math.min(1f, (pos - split.start()) / (float) len);
  }

  @Override
  public long bytesRead() {
    // Counted from the first own line, so the splits of a file add up to exactly its size.
    return Math.max(0, pos - ownStart);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
