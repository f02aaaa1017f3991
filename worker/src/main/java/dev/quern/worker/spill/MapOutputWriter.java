package dev.quern.worker.spill;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes partitioned, sorted runs into one data file, partition after partition, and computes
 * the {@link PartitionIndex}. A record is {@code varint keyLength, varint (valueLength + 1), key,
 * value} (value length 0 encodes a null value). With compression, each partition's raw bytes are
 * cut into blocks of up to 64 KiB, each stored as {@code int rawLength, int storedLength, LZ4
 * bytes}; each partition starts a new block, so partitions read independently.
 */
public final class MapOutputWriter implements Closeable, RecordSink {
  private final Path file;
  private final int partitions;
  private final boolean compress;
  private final OutputStream out;
  private final HeldUntilLimitStream sink;
  // Uncompressed runs have no blocks: the staging buffer is then larger and goes straight to the
  // file, with no second buffer to copy through. It holds the ends and starts of several
  // partitions, written when full or at the end: a map of a 1 KiB file has records for about a
  // hundred of 1,000 partitions, and a write per partition (a system call each) was an eighth of
  // a 10,000-map job's CPU. It starts small and doubles as it fills, so that such a map does
  // not clear 256 KiB (2% of that job's CPU).
  private static final int RAW_STAGING = 256 * 1024;
  private static final int RAW_STAGING_START = 8 * 1024;
  private byte[] block;
  /** Uncompressed: where in {@code block} the bytes not yet in the partition's CRC start. */
  private int crcFrom;
  private final byte[] packed;
  private final CRC32C crc = new CRC32C();
  private final List<IndexEntry> entries;
  private int blockLen;
  private long pos;
  private long segStart;
  private long segRaw;
  private long segRecords;
  private boolean open;
  private boolean closed;

  public MapOutputWriter(Path file, int partitions, boolean compress) throws IOException {
    this(file, partitions, compress, 0);
  }

  /**
   * As {@link #MapOutputWriter(Path, int, boolean)}, but the data file is created only when the
   * stored bytes pass {@code holdUpTo}: an output of at most that many bytes stays in memory
   * ({@link #held}) and its file is never created, unless its owner writes it.
   */
  public MapOutputWriter(Path file, int partitions, boolean compress, int holdUpTo)
      throws IOException {
    this.file = file;
    this.partitions = partitions;
    this.compress = compress;
    this.entries = new ArrayList<>(partitions);
    this.packed = compress ? new byte[8 + Lz4.COMPRESSOR.maxCompressedLength(Lz4.BLOCK)] : null;
    this.block = new byte[compress ? Lz4.BLOCK : RAW_STAGING_START];
    this.sink = new HeldUntilLimitStream(file, holdUpTo);
    this.out = compress ? new BufferedOutputStream(sink, 256 * 1024) : sink;
  }

  public Path file() {
    return file;
  }

  /** Starts the next partition; partitions are written in order 0, 1, 2, ... */
  public void startPartition() {
    if (open) {
      throw new IllegalStateException("partition " + entries.size() + " is still open");
    }
    open = true;
    segStart = pos + blockLen;
    crcFrom = blockLen;
    segRaw = 0;
    segRecords = 0;
    crc.reset();
  }

  @Override
  public void write(byte[] kb, int ko, int kl, byte[] vb, int vo, int vl) throws IOException {
    if (block.length - blockLen < 10) {
      makeRoom();
    }
    blockLen = Varints.put(block, blockLen, kl);
    blockLen = Varints.put(block, blockLen, vl + 1);
    segRaw += Varints.size(kl) + Varints.size(vl + 1);
    put(kb, ko, kl);
    if (vl > 0) {
      put(vb, vo, vl);
    }
    segRecords++;
  }

  private void put(byte[] b, int off, int len) throws IOException {
    segRaw += len;
    while (len > 0) {
      int n = Math.min(len, block.length - blockLen);
      System.arraycopy(b, off, block, blockLen, n);
      blockLen += n;
      off += n;
      len -= n;
      if (blockLen == block.length) {
        makeRoom();
      }
    }
  }

  /** A full staging buffer: an uncompressed one grows up to its size, else it is written. */
  private void makeRoom() throws IOException {
    if (!compress && block.length < RAW_STAGING) {
      block = Arrays.copyOf(block, Math.min(RAW_STAGING, 2 * block.length));
    } else {
      flushBlock();
    }
  }

  private void flushBlock() throws IOException {
    if (blockLen == 0) {
      return;
    }
    if (compress) {
      int n = Lz4.COMPRESSOR.compress(block, 0, blockLen, packed, 8, packed.length - 8);
      putInt(packed, 0, blockLen);
      putInt(packed, 4, n);
      stored(packed, 0, n + 8);
    } else {
      // The open partition's bytes go into its CRC as they leave the buffer.
      if (open) {
        crc.update(block, crcFrom, blockLen - crcFrom);
      }
      out.write(block, 0, blockLen);
      pos += blockLen;
      crcFrom = 0;
    }
    blockLen = 0;
  }

  private void stored(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    crc.update(b, off, len);
    pos += len;
  }

  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /** Ends the current partition and returns its index entry. */
  public IndexEntry endPartition() throws IOException {
    if (!open) {
      throw new IllegalStateException("no partition is open");
    }
    if (compress) {
      flushBlock(); // each partition starts a new block
    } else {
      crc.update(block, crcFrom, blockLen - crcFrom);
      crcFrom = blockLen;
    }
    open = false;
    IndexEntry e = new IndexEntry(segStart, segRaw, pos + blockLen - segStart,
        (int) crc.getValue(), segRecords);
    entries.add(e);
    return e;
  }

  /** Closes the data file; every partition must have been written. */
  public PartitionIndex finish() throws IOException {
    if (open || entries.size() != partitions) {
      throw new IllegalStateException("wrote " + entries.size() + " of " + partitions
          + " partitions to " + file);
    }
    close();
    return new PartitionIndex(compress, entries);
  }

  /**
   * After {@link #finish}: the stored bytes, when they stayed within the writer's hold limit and
   * no file was created; else null (they are in the file).
   */
  public byte[] held() {
    if (!closed) {
      throw new IllegalStateException("the output of " + file + " is not finished");
    }
    return sink.held();
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      try {
        flushBlock();
      } finally {
        out.close();
      }
    }
  }
}
