package dev.quern.worker.spill;

import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4Exception;

/**
 * Reads the records of one partition's run (see {@link MapOutputWriter} for the format) from its
 * stored bytes, decompressing block by block. Records that lie whole inside the current block are
 * returned without copying.
 */
public final class RunReader implements RecordStream {
  /** Bytes per read of an uncompressed run (a compressed one reads block by block). */
  private static final int RAW_READ = 256 * 1024;
  private final InputStream in;
  private final boolean compressed;
  private final long expectedRaw;
  private final String what;
  private final byte[] header = new byte[8];
  private byte[] buf;
  private byte[] packed;
  private int pos;
  private int limit;
  private long rawSeen;
  private boolean eof;

  private byte[] keyCopy = new byte[64];
  private byte[] valCopy = new byte[64];
  private byte[] kb;
  private int ko;
  private int kl;
  private byte[] vb;
  private int vo;
  private int vl;

  /**
   * @param in exactly the run's stored bytes
   * @param expectedRaw the run's raw length from the index, checked at the end; -1 to skip
   * @param what names the run in errors (file, partition)
   */
  public RunReader(InputStream in, boolean compressed, long expectedRaw, String what) {
    this.in = in;
    this.compressed = compressed;
    this.expectedRaw = expectedRaw;
    this.what = what;
  }

  @Override
  public boolean next() throws IOException {
    if (pos == limit && !fill()) {
      return false;
    }
    int keyLen = readVarint();
    int valLen = readVarint() - 1;
    if (keyLen < 0 || valLen < -1) {
      throw new CorruptRunException(what + ": bad record lengths " + keyLen + "/" + valLen);
    }
    kl = keyLen;
    vl = valLen;
    int body = keyLen + Math.max(valLen, 0);
    if (limit - pos >= body) {
      kb = buf;
      ko = pos;
      vb = buf;
      vo = pos + keyLen;
      pos += body;
      return true;
    }
    // The record crosses a block: copy it out, since the next block overwrites the buffer.
    if (keyCopy.length < keyLen) {
      keyCopy = new byte[Math.max(keyLen, keyCopy.length * 2)];
    }
    readFully(keyCopy, keyLen);
    kb = keyCopy;
    ko = 0;
    if (valCopy.length < valLen) {
      valCopy = new byte[Math.max(valLen, valCopy.length * 2)];
    }
    if (valLen > 0) {
      readFully(valCopy, valLen);
    }
    vb = valCopy;
    vo = 0;
    return true;
  }

  private int readVarint() throws IOException {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos == limit && !fill()) {
        throw new CorruptRunException(what + ": ends inside a record");
      }
      byte b = buf[pos++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new CorruptRunException(what + ": bad varint");
  }

  private void readFully(byte[] dst, int len) throws IOException {
    int off = 0;
    while (off < len) {
      if (pos == limit && !fill()) {
        throw new CorruptRunException(what + ": ends inside a record");
      }
      int n = Math.min(len - off, limit - pos);
      System.arraycopy(buf, pos, dst, off, n);
      pos += n;
      off += n;
    }
  }

  /** Loads the next block; false at the end of the run. Copied-out records stay valid. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (compressed) {
      int h = in.readNBytes(header, 0, 8);
      if (h == 0) {
        return atEnd();
      }
      if (h < 8) {
        throw new CorruptRunException(what + ": truncated block header");
      }
      int raw = getInt(header, 0);
      int stored = getInt(header, 4);
      // A block is at most 64 KiB raw, so this bound also rejects garbage headers.
      if (raw <= 0 || raw > Lz4.BLOCK || stored <= 0
          || stored > Lz4.COMPRESSOR.maxCompressedLength(Lz4.BLOCK)) {
        throw new CorruptRunException(what + ": bad block header " + raw + "/" + stored);
      }
      if (packed == null || packed.length < stored) {
        packed = new byte[Math.max(stored, Lz4.COMPRESSOR.maxCompressedLength(blockSize()))];
      }
      if (buf == null || buf.length < raw) {
        buf = new byte[Math.max(raw, blockSize())];
      }
      if (in.readNBytes(packed, 0, stored) < stored) {
        throw new CorruptRunException(what + ": truncated block");
      }
      int n;
      try {
        n = Lz4.DECOMPRESSOR.decompress(packed, 0, stored, buf, 0, buf.length);
      } catch (LZ4Exception e) {
        throw new CorruptRunException(what + ": block does not decompress", e);
      }
      if (n != raw) {
        throw new CorruptRunException(what + ": block decompressed to " + n + " bytes, not "
            + raw);
      }
      limit = n;
    } else {
      if (buf == null) {
        buf = new byte[blockSize()];
      }
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return atEnd();
      }
      limit = n;
    }
    pos = 0;
    rawSeen += limit;
    return true;
  }

  /**
   * The block buffer's size: a whole block, or the run's raw length when that is smaller (and
   * known). Buffers are allocated on first use and sized to the run: a merge opens a reader per
   * spill and partition, and a reduce one per map output, most of them empty or a few bytes when
   * a job has many tasks (10,000 maps by 1,000 reduces: ten million readers, each of which took a
   * 64 KiB block and a 64 KiB compressed buffer for its few bytes).
   */
  private int blockSize() {
    int block = compressed ? Lz4.BLOCK : RAW_READ;
    return expectedRaw < 0 ? block : (int) Math.max(1, Math.min(block, expectedRaw));
  }

  private boolean atEnd() throws IOException {
    eof = true;
    pos = limit = 0;
    if (expectedRaw >= 0 && rawSeen != expectedRaw) {
      throw new CorruptRunException(what + ": holds " + rawSeen + " raw bytes, index says "
          + expectedRaw);
    }
    return false;
  }

  static int getInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  @Override
  public byte[] keyBuf() {
    return kb;
  }

  @Override
  public int keyOff() {
    return ko;
  }

  @Override
  public int keyLen() {
    return kl;
  }

  @Override
  public byte[] valBuf() {
    return vb;
  }

  @Override
  public int valOff() {
    return vo;
  }

  @Override
  public int valLen() {
    return vl;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
