package dev.quern.api.io;

import dev.quern.api.Configuration;
import dev.quern.api.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
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
 * <p>Lines are decoded as UTF-8 unless another charset is given (it must encode {@code \n} as the
 * byte 10 and never use that byte inside a character, as ASCII-compatible charsets do). Bytes that
 * are not valid in the charset become U+FFFD; {@link #malformedRecords} counts such lines.
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
  private final Charset charset;
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
  /** Where the line last read, or being read, starts. */
  private long lineStart = -1;
  private long malformed;
  private java.nio.charset.CharsetDecoder strict;

  /** Reads UTF-8 lines. */
  public LineRecordReader(FileSplit split) throws IOException {
    this(split, StandardCharsets.UTF_8, Configuration.empty());
  }

  /** Reads UTF-8 lines of a file on any filesystem ({@link FileSystems}), set up by {@code conf}. */
  public LineRecordReader(FileSplit split, Configuration conf) throws IOException {
    this(split, StandardCharsets.UTF_8, conf);
  }

  /** Reads lines in {@code charset} (see {@link TextInputFormat#charset}) of a local file. */
  public LineRecordReader(FileSplit split, Charset charset) throws IOException {
    this(split, charset, Configuration.empty());
  }

  /**
   * Reads lines in {@code charset} (see {@link TextInputFormat#charset}) of a file on any
   * filesystem ({@link FileSystems}), configured by {@code conf}.
   */
  public LineRecordReader(FileSplit split, Charset charset, Configuration conf)
      throws IOException {
    this.split = split;
    this.charset = charset;
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
    lineStart = start;
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
        value = decode(buf, from, n);
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
    value = decode(line, 0, len);
    return true;
  }

  /**
   * Decodes a line, counting it when its bytes are malformed. A clean line costs one look for
   * U+FFFD, which a string of Latin-1 characters (any ASCII line) answers without a scan; only a
   * line holding one is checked again, strictly.
   */
  private String decode(byte[] b, int off, int n) {
    String s = new String(b, off, n, charset);
    if (s.indexOf('\uFFFD') >= 0 && isMalformed(b, off, n)) {
      malformed++;
    }
    return s;
  }

  private boolean isMalformed(byte[] b, int off, int n) {
    if (strict == null) {
      strict = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    try {
      strict.reset().decode(ByteBuffer.wrap(b, off, n));
      return false;
    } catch (CharacterCodingException e) {
      return true;
    }
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

  /** {@code line at byte N} (of the decompressed data for a {@code .gz} file). */
  @Override
  public String position() {
    if (lineStart < 0) {
      return null;
    }
    return "line at byte " + lineStart + (end == Long.MAX_VALUE ? " of the decompressed data" : "");
  }

  @Override
  public long malformedRecords() {
    return malformed;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
