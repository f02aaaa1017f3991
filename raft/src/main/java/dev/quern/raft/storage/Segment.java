package dev.quern.raft.storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * One WAL segment file, {@code wal-<sequence>.log}: its header, where its records' checksum chain
 * stands, and the highest log index any record in it mentions (which decides whether a snapshot
 * covers it entirely).
 *
 * <pre>
 *   int32 magic "QWAL"   byte version (2)   int64 sequence (as in the file name)
 *   int32 salt           random, new for every file created: seeds each record's own CRC
 *   int32 prevChain      the chain value after the last record of the previous segment (0 for none)
 *   int32 CRC32C of the 21 bytes above: the chain value the first record continues
 * </pre>
 */
final class Segment {

  static final int MAGIC = 0x5157414C; // "QWAL"
  static final byte VERSION = 2;
  static final int HEADER_BYTES = 25;
  static final int VERSION_OFFSET = 4;
  static final int SEQ_OFFSET = 5;
  static final int PREV_CHAIN_OFFSET = 17;
  static final int CRC_OFFSET = 21;

  private static final Pattern NAME = Pattern.compile("wal-(\\d{16})\\.log");

  final long seq;
  final Path path;
  long maxIndex;
  /** From the header; 0 until the header is written or read. */
  int salt;
  int prevChain;
  /** The header's CRC: the chain value before the first record. */
  int startChain;
  /** The chain value after the last record (kept up to date for the active segment). */
  int endChain;

  Segment(Path dir, long seq) {
    this.seq = seq;
    this.path = dir.resolve(String.format("wal-%016d.log", seq));
  }

  /** The sequence number in a segment file name, or -1 if the name is not a segment's. */
  static long parseSeq(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Writes the header of a new segment file and sets {@link #startChain}. */
  void putHeader(ByteBuffer out, int salt, int prevChain) {
    int start = out.position();
    out.putInt(MAGIC).put(VERSION).putLong(seq).putInt(salt).putInt(prevChain);
    int crc = headerCrc(out.array(), out.arrayOffset() + start);
    out.putInt(crc);
    this.salt = salt;
    this.prevChain = prevChain;
    this.startChain = crc;
    this.endChain = crc;
  }

  /**
   * Reads the header from the first bytes of the file; the caller has checked that there are
   * {@link #HEADER_BYTES} of them.
   *
   * @throws CorruptLogException if it is not a header of this segment in a version we know
   */
  void readHeader(byte[] bytes) throws CorruptLogException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getInt() != MAGIC) {
      throw new CorruptLogException(path, 0, "not a WAL segment (bad magic)");
    }
    byte version = in.get();
    if (version != VERSION) {
      throw new CorruptLogException(path, VERSION_OFFSET, "unsupported segment format version " + version);
    }
    int crc = headerCrc(bytes, 0);
    if (crc != ByteBuffer.wrap(bytes, CRC_OFFSET, 4).getInt()) {
      throw new CorruptLogException(path, CRC_OFFSET, "segment header CRC mismatch");
    }
    long storedSeq = in.getLong();
    if (storedSeq != seq) {
      throw new CorruptLogException(path, SEQ_OFFSET, "header names segment " + storedSeq + ", not " + seq);
    }
    salt = in.getInt();
    prevChain = in.getInt();
    startChain = crc;
    endChain = crc;
  }

  private static int headerCrc(byte[] buf, int start) {
    CRC32C c = new CRC32C();
    c.update(buf, start, CRC_OFFSET);
    return (int) c.getValue();
  }

  void mention(long index) {
    maxIndex = Math.max(maxIndex, index);
  }

  @Override
  public String toString() {
    return path.getFileName() + "(maxIndex=" + maxIndex + ")";
  }
}
