package dev.quern.api.io.binary;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import dev.quern.api.Configuration;
import dev.quern.api.fs.PositionalFile;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.RecordReader;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads the records of one split of a binary key/value file: the blocks whose sync marker starts
 * inside the split. Keys and values are new objects for every record.
 *
 * <pre>{@code
 * try (var r = BinaryRecordReader.<String, Long>open(split, loader, null, null)) {
 *   while (r.next()) use(r.key(), r.value());
 * }
 * }</pre>
 */
public final class BinaryRecordReader<K, V> implements RecordReader<K, V> {
  private static final int READ_BUFFER = 64 * 1024;

  private final FileSplit split;
  private final PositionalFile channel;
  private final BinaryFileHeader header;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer readBuf = ByteBuffer.allocate(READ_BUFFER).limit(0);
  private final Input fieldIn = new Input();
  private final Input recordIn = new Input();
  /** File offset of the byte at readBuf's position. */
  private long filePos;
  /** Offset of the next block to read, or -1 when the split has no more blocks. */
  private long nextBlock;
  private byte[] stored = new byte[0];
  private byte[] raw = new byte[0];
  private long blockOffset;
  private int blockRecordsLeft;
  private K key;
  private V value;

  private BinaryRecordReader(FileSplit split, PositionalFile channel, BinaryFileHeader header,
      Serde<K> keySerde, Serde<V> valueSerde) throws IOException {
    this.split = split;
    this.channel = channel;
    this.header = header;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    seek(Math.max(split.start(), header.length()));
    long first = findSync();
    this.nextBlock = first >= 0 && first < split.end() ? first : -1;
  }

  /**
   * Opens a split. When {@code expectedKey} / {@code expectedValue} are not null, the file must
   * hold exactly those classes; otherwise the classes named in the file are used.
   */
  public static <K, V> BinaryRecordReader<K, V> open(FileSplit split, ClassLoader loader,
      String expectedKey, String expectedValue) throws IOException {
    return open(split, Configuration.empty(), loader, expectedKey, expectedValue);
  }

  /**
   * As {@link #open(FileSplit, ClassLoader, String, String)}, for a file on any filesystem
   * ({@code hdfs://...}), configured from the job's configuration.
   */
  public static <K, V> BinaryRecordReader<K, V> open(FileSplit split, Configuration conf,
      ClassLoader loader, String expectedKey, String expectedValue) throws IOException {
    PositionalFile ch = PositionalFile.open(split.path(), conf);
    try {
      BinaryFileHeader header = readHeader(ch, split.path());
      check(split.path(), "key", header.keyClass(), expectedKey);
      check(split.path(), "value", header.valueClass(), expectedValue);
      Serde<K> ks = serde(split.path(), "key", header.keyClass(), loader);
      Serde<V> vs = serde(split.path(), "value", header.valueClass(), loader);
      return new BinaryRecordReader<>(split, ch, header, ks, vs);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The header of a binary file, read from its first bytes. */
  static BinaryFileHeader readHeader(PositionalFile ch, String file) throws IOException {
    // Not closed: the source stays open for the reader.
    return BinaryFileHeader.read(new java.io.BufferedInputStream(ch.from0(), 4096), file);
  }

  private static void check(String file, String what, String actual, String expected)
      throws IOException {
    // Object marks an empty file whose writer never learned its classes (see BinaryOutputFormat).
    if (expected != null && !expected.equals(actual) && !actual.equals("java.lang.Object")) {
      throw new IOException("binary file " + file + " holds " + what + "s of class " + actual
          + ", but the job expects " + expected);
    }
  }

  private static <T> Serde<T> serde(String file, String what, String className,
      ClassLoader loader) throws IOException {
    try {
      return Serdes.of(className, loader);
    } catch (IllegalArgumentException e) {
      throw new IOException("binary file " + file + " names " + what + " class " + className
          + ", which the job's class loader cannot load", e);
    }
  }

  public String keyClass() {
    return header.keyClass();
  }

  public String valueClass() {
    return header.valueClass();
  }

  @Override
  public boolean next() throws IOException {
    while (blockRecordsLeft == 0) {
      if (nextBlock < 0) {
        return false;
      }
      readBlock(nextBlock);
    }
    try {
      int keyLen = recordIn.readVarInt(true);
      int at = recordIn.position();
      fieldIn.setBuffer(raw, at, keyLen);
      key = keySerde.read(fieldIn);
      recordIn.setPosition(at + keyLen);
      int valueLen = recordIn.readVarInt(true) - 1;
      if (valueLen < 0) {
        value = null;
      } else {
        at = recordIn.position();
        fieldIn.setBuffer(raw, at, valueLen);
        value = valueSerde.read(fieldIn);
        recordIn.setPosition(at + valueLen);
      }
    } catch (KryoException | IndexOutOfBoundsException | IllegalArgumentException e) {
      throw corrupt(blockOffset, "a record does not decode: " + e.getMessage(), e);
    }
    blockRecordsLeft--;
    return true;
  }

  private void readBlock(long offset) throws IOException {
    seek(offset);
    byte[] head = new byte[BinaryFormat.BLOCK_HEADER_LENGTH];
    int got = readFully(head, 0, head.length);
    if (got < head.length) {
      throw corrupt(offset, "the block header is truncated", null);
    }
    if (!Arrays.equals(head, 0, BinaryFormat.SYNC_LENGTH, header.sync(), 0,
        BinaryFormat.SYNC_LENGTH)) {
      throw corrupt(offset, "no sync marker where a block should start", null);
    }
    int s = BinaryFormat.SYNC_LENGTH;
    int records = getInt(head, s);
    int rawLength = getInt(head, s + 4);
    int storedLength = getInt(head, s + 8);
    byte codec = head[s + 12];
    int expectedCrc = getInt(head, s + 13);
    if (records <= 0 || rawLength < 0 || storedLength < 0
        || (codec != BinaryFormat.CODEC_NONE && codec != BinaryFormat.CODEC_LZ4)
        || (codec == BinaryFormat.CODEC_NONE && rawLength != storedLength)) {
      throw corrupt(offset, "the block header is malformed (records " + records + ", raw "
          + rawLength + ", stored " + storedLength + ", codec " + codec + ")", null);
    }
    long room = channel.size() - offset - BinaryFormat.BLOCK_HEADER_LENGTH;
    if (storedLength > room || rawLength > (long) storedLength * 256 + 64) {
      throw corrupt(offset, "the block claims " + storedLength + " stored and " + rawLength
          + " raw bytes, but only " + room + " bytes remain in the file", null);
    }
    if (stored.length < storedLength) {
      stored = new byte[storedLength];
    }
    if (readFully(stored, 0, storedLength) < storedLength) {
      throw corrupt(offset, "the block is truncated: " + storedLength + " bytes expected", null);
    }
    crc.reset();
    crc.update(head, s, 13);
    crc.update(stored, 0, storedLength);
    if ((int) crc.getValue() != expectedCrc) {
      throw corrupt(offset, "CRC32C mismatch", null);
    }
    if (codec == BinaryFormat.CODEC_LZ4) {
      if (raw.length < rawLength) {
        raw = new byte[rawLength];
      }
      try {
        int n = lz4.decompress(stored, 0, storedLength, raw, 0, rawLength);
        if (n != rawLength) {
          throw corrupt(offset, "LZ4 block inflates to " + n + " bytes, not " + rawLength, null);
        }
      } catch (LZ4Exception e) {
        throw corrupt(offset, "LZ4 block does not decompress", e);
      }
    } else {
      byte[] t = raw;
      raw = stored;
      stored = t;
    }
    recordIn.setBuffer(raw, 0, rawLength);
    blockOffset = offset;
    blockRecordsLeft = records;
    long after = offset + BinaryFormat.BLOCK_HEADER_LENGTH + storedLength;
    nextBlock = after < split.end() && after < channel.size() ? after : -1;
  }

  private IOException corrupt(long offset, String why, Throwable cause) {
    return new IOException("corrupt block in binary file " + split.path() + " at offset "
        + offset + ": " + why, cause);
  }

  private static int getInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  // ---- buffered positional reading of the channel ----

  private void seek(long pos) {
    long bufStart = filePos - readBuf.position();
    long bufEnd = filePos + readBuf.remaining();
    if (pos >= bufStart && pos <= bufEnd) {
      readBuf.position((int) (pos - bufStart));
    } else {
      readBuf.clear().limit(0);
    }
    filePos = pos;
  }

  private boolean fill() throws IOException {
    readBuf.clear();
    int n;
    do {
      n = channel.read(readBuf, filePos);
    } while (n == 0);
    readBuf.flip();
    return n > 0;
  }

  /** Reads up to {@code len} bytes; returns fewer only at end of file. */
  private int readFully(byte[] dst, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      if (!readBuf.hasRemaining() && !fill()) {
        break;
      }
      int n = Math.min(len - done, readBuf.remaining());
      readBuf.get(dst, off + done, n);
      filePos += n;
      done += n;
    }
    return done;
  }

  /**
   * Scans forward from the current position for the sync marker; returns its offset, or -1 when
   * the file ends first. Stops early once a marker could no longer start inside the split.
   */
  private long findSync() throws IOException {
    byte[] sync = header.sync();
    byte[] window = new byte[BinaryFormat.SYNC_LENGTH];
    int filled = readFully(window, 0, window.length);
    if (filled < window.length) {
      return -1;
    }
    long windowStart = filePos - window.length;
    int head = 0; // window is a ring; head is the index of its oldest byte
    while (true) {
      if (windowStart >= split.end()) {
        return -1;
      }
      if (ringEquals(window, head, sync)) {
        return windowStart;
      }
      if (!readBuf.hasRemaining() && !fill()) {
        return -1;
      }
      window[head] = readBuf.get();
      filePos++;
      head = (head + 1) % window.length;
      windowStart++;
    }
  }

  private static boolean ringEquals(byte[] ring, int head, byte[] sync) {
    for (int i = 0; i < sync.length; i++) {
      if (ring[(head + i) % ring.length] != sync[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public K key() {
    return key;
  }

  @Override
  public V value() {
    return value;
  }

  @Override
  public float progress() {
    if (nextBlock < 0 && blockRecordsLeft == 0) {
      return 1f;
    }
    long len = Math.max(1, split.length());
    return Math.min(1f, Math.max(0, blockOffset - split.start()) / (float) len);
  }

  @Override
  public long bytesRead() {
    return Math.max(0, filePos - split.start());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
