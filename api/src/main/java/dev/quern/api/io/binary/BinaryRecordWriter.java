package dev.quern.api.io.binary;

import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.io.RecordWriter;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes one binary key/value file (layout in {@link BinaryFormat}). Records collect in a block
 * buffer; a full block is compressed, checksummed and written behind the sync marker.
 *
 * <pre>{@code
 * try (var w = new BinaryRecordWriter<>(file, String.class, Long.class, true, 256 << 10, loader)) {
 *   w.write("quern", 1L);
 * }
 * }</pre>
 */
public final class BinaryRecordWriter<K, V> implements RecordWriter<K, V> {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String file;
  private final DataOutputStream out;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final byte[] sync = new byte[BinaryFormat.SYNC_LENGTH];
  private final boolean compress;
  private final int blockSize;
  private final Output block;
  private final Output scratch = new Output(1024, -1);
  private final LZ4Compressor lz4;
  private final CRC32C crc = new CRC32C();
  private byte[] compressed = new byte[0];
  private int blockRecords;
  private long bytes;

  /**
   * Creates {@code file} and writes its header.
   *
   * @param compress LZ4-compress blocks (a block that does not shrink is stored raw)
   * @param blockSize uncompressed bytes collected before a block is written
   */
  public BinaryRecordWriter(Path file, Class<K> keyClass, Class<V> valueClass, boolean compress,
      int blockSize, ClassLoader loader) throws IOException {
    this(file.toString(), () -> Files.newOutputStream(file), keyClass, valueClass, compress,
        blockSize, loader);
  }

  /** Opens a file's stream, after the arguments are checked (so a bad one creates no file). */
  @FunctionalInterface
  public interface Sink {
    OutputStream open() throws IOException;
  }

  /**
   * Writes into the stream that {@code sink} opens (on any filesystem); {@code file} names it in
   * errors.
   */
  public BinaryRecordWriter(String file, Sink sink, Class<K> keyClass, Class<V> valueClass,
      boolean compress, int blockSize, ClassLoader loader) throws IOException {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("block size must be positive, got " + blockSize);
    }
    this.file = file;
    this.keySerde = Serdes.of(keyClass, loader);
    this.valueSerde = Serdes.of(valueClass, loader);
    this.compress = compress;
    this.blockSize = blockSize;
    this.block = new Output(Math.min(blockSize, 1 << 20) + 1024, -1);
    this.lz4 = compress ? LZ4Factory.fastestInstance().fastCompressor() : null;
    RANDOM.nextBytes(sync);
    this.out = new DataOutputStream(new BufferedOutputStream(sink.open(),
        128 * 1024));
    byte[] header = BinaryFileHeader.create(keyClass.getName(), valueClass.getName(), sync)
        .encode();
    out.write(header);
    bytes = header.length;
  }

  @Override
  public void write(K key, V value) throws IOException {
    if (key == null) {
      throw new IllegalArgumentException("binary file " + file + ": keys must not be null");
    }
    scratch.reset();
    keySerde.write(key, scratch);
    block.writeVarInt(scratch.position(), true);
    block.writeBytes(scratch.getBuffer(), 0, scratch.position());
    if (value == null) {
      block.writeVarInt(0, true);
    } else {
      scratch.reset();
      valueSerde.write(value, scratch);
      block.writeVarInt(scratch.position() + 1, true);
      block.writeBytes(scratch.getBuffer(), 0, scratch.position());
    }
    blockRecords++;
    if (block.position() >= blockSize) {
      flushBlock();
    }
  }

  private void flushBlock() throws IOException {
    if (blockRecords == 0) {
      return;
    }
    int rawLength = block.position();
    byte[] stored = block.getBuffer();
    int storedLength = rawLength;
    byte codec = BinaryFormat.CODEC_NONE;
    if (compress) {
      int max = lz4.maxCompressedLength(rawLength);
      if (compressed.length < max) {
        compressed = new byte[max];
      }
      int n = lz4.compress(block.getBuffer(), 0, rawLength, compressed, 0, max);
      if (n < rawLength) {
        stored = compressed;
        storedLength = n;
        codec = BinaryFormat.CODEC_LZ4;
      }
    }
    byte[] fields = blockFields(blockRecords, rawLength, storedLength, codec);
    crc.reset();
    crc.update(fields, 0, fields.length);
    crc.update(stored, 0, storedLength);
    out.write(sync);
    out.write(fields);
    out.writeInt((int) crc.getValue());
    out.write(stored, 0, storedLength);
    bytes += BinaryFormat.BLOCK_HEADER_LENGTH + storedLength;
    block.reset();
    blockRecords = 0;
  }

  /** The 13 bytes between the sync marker and the CRC, which the CRC also covers. */
  static byte[] blockFields(int records, int rawLength, int storedLength, byte codec) {
    byte[] f = new byte[13];
    putInt(f, 0, records);
    putInt(f, 4, rawLength);
    putInt(f, 8, storedLength);
    f[12] = codec;
    return f;
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /**
   * Bytes written to the file so far, plus the uncompressed size of the block still being
   * filled (engines read this before {@link #close} flushes that block).
   */
  @Override
  public long bytesWritten() {
    return bytes + block.position();
  }

  @Override
  public void close() throws IOException {
    try {
      flushBlock();
    } finally {
      out.close();
    }
  }
}
