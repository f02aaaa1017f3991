package dev.quern.worker.spill;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The index of a map output (or spill) data file: for each partition its offset, raw length,
 * stored length and CRC32C, whether the runs are LZ4 blocks, and a CRC32C of the index itself.
 *
 * <p>File layout (big-endian): magic {@code QMIX}, version 1, partition count, flags (bit 0:
 * compressed); then per partition offset (long), raw length (long), stored length (long), CRC32C
 * (int); then the CRC32C of everything before it (int).
 */
public record PartitionIndex(boolean compressed, List<IndexEntry> entries) {
  static final int MAGIC = 0x514D4958;
  static final int VERSION = 1;
  static final int ENTRY_BYTES = 28;
  /** Big-endian longs and ints in a byte array, as the file has them. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  public PartitionIndex {
    entries = List.copyOf(entries);
  }

  public int partitions() {
    return entries.size();
  }

  public IndexEntry entry(int partition) {
    return entries.get(partition);
  }

  public long totalRecords() {
    return entries.stream().mapToLong(IndexEntry::records).sum();
  }

  /** Writes the index atomically (temp file, then rename). */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, toBytes());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes a data file of stored bytes {@code data} and then this, its index (a reader that
   * finds the index finds the whole data file); a data file left by a failure is deleted.
   */
  public void writeWithData(Path dataFile, byte[] data, Path indexFile) throws IOException {
    try {
      Files.write(dataFile, data);
      write(indexFile);
    } catch (IOException e) {
      Files.deleteIfExists(dataFile);
      throw e;
    }
  }

  /**
   * The index file's bytes, put into one array of the exact size: every map writes an entry per
   * partition (1,000 with 1,000 reduces, most empty), and through a data stream over a byte
   * stream (four synchronized writes with their capacity and bounds checks per entry, then two
   * copies of the whole) that cost more than the file's write: 48 of the 75 samples of writing
   * the index in a profile of 10,000 maps x 1,000 reduces.
   */
  byte[] toBytes() {
    int n = entries.size();
    byte[] b = new byte[16 + n * ENTRY_BYTES + 4];
    INTS.set(b, 0, MAGIC);
    INTS.set(b, 4, VERSION);
    INTS.set(b, 8, n);
    INTS.set(b, 12, compressed ? 1 : 0);
    for (int i = 0, at = 16; i < n; i++, at += ENTRY_BYTES) {
      IndexEntry e = entries.get(i);
      LONGS.set(b, at, e.offset());
      LONGS.set(b, at + 8, e.rawLength());
      LONGS.set(b, at + 16, e.storedLength());
      INTS.set(b, at + 24, e.crc());
    }
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 4);
    INTS.set(b, b.length - 4, (int) crc.getValue());
    return b;
  }

  /**
   * Reads one partition's entry of an index file that {@link #read} has checked whole before
   * (its checksum covers the whole file, so this read checks only that the entry is there): a
   * reduce needs one entry of each map output's index, and reading and checking the whole index
   * for each (a reduce per partition, each over every map output) is quadratic in the tasks.
   * The entry's record count is unknown (-1), as in {@link #read}.
   */
  public static IndexEntry readEntry(FileChannel ch, Path file, int partition, int partitions)
      throws IOException {
    if (partition < 0 || partition >= partitions) {
      throw new IOException("index " + file + " has " + partitions + " partitions, not "
          + (partition + 1));
    }
    ByteBuffer buf = ByteBuffer.allocate(ENTRY_BYTES);
    long at = 16 + (long) partition * ENTRY_BYTES;
    while (buf.hasRemaining()) {
      if (ch.read(buf, at + buf.position()) < 0) {
        throw new IOException("index " + file + " is truncated");
      }
    }
    buf.flip();
    return new IndexEntry(buf.getLong(), buf.getLong(), buf.getLong(), buf.getInt(), -1);
  }

  /** Reads and checks an index file; fails with an {@link IOException} saying what is wrong. */
  public static PartitionIndex read(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    if (b.length < 20) {
      throw new IOException("index " + file + " is truncated (" + b.length + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    if (buf.getInt() != MAGIC) {
      throw new IOException("index " + file + " has a bad magic number");
    }
    int version = buf.getInt();
    if (version != VERSION) {
      throw new IOException("index " + file + " has unknown version " + version);
    }
    int n = buf.getInt();
    int flags = buf.getInt();
    if (n < 0 || b.length != 16 + (long) n * ENTRY_BYTES + 4) {
      throw new IOException("index " + file + " is " + b.length + " bytes, expected "
          + (16 + (long) n * ENTRY_BYTES + 4) + " for " + n + " partitions");
    }
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(b, b.length - 4, 4).getInt()) {
      throw new IOException("index " + file + " fails its checksum");
    }
    // A reduce host reads every map's index once: with 1,000 partitions, most of them empty at
    // the offset of the last one with records, an entry object per partition (and a list grown
    // to hold them) was half of reading an index; empty ones at one offset now share one.
    IndexEntry[] entries = new IndexEntry[n];
    IndexEntry empty = null;
    for (int i = 0, at = 16; i < n; i++, at += ENTRY_BYTES) {
      long offset = (long) LONGS.get(b, at);
      long raw = (long) LONGS.get(b, at + 8);
      long stored = (long) LONGS.get(b, at + 16);
      int sum = (int) INTS.get(b, at + 24);
      if ((raw | stored | sum) != 0) {
        entries[i] = new IndexEntry(offset, raw, stored, sum, -1);
      } else {
        if (empty == null || empty.offset() != offset) {
          empty = new IndexEntry(offset, 0, 0, 0, -1);
        }
        entries[i] = empty;
      }
    }
    return new PartitionIndex((flags & 1) != 0, Arrays.asList(entries));
  }
}
