package dev.quern.api.io.binary;

/**
 * Constants of Quern's binary key/value file, shared by {@link BinaryOutputFormat} and {@link
 * BinaryInputFormat}.
 *
 * <p>Layout (all integers big-endian):
 *
 * <pre>
 * file   := header block*
 * header := magic "QBKV" (4 bytes), version (1 byte), key class (modified UTF-8, u16 length),
 *           value class (same), sync marker (16 random bytes)
 * block  := sync marker (16) | record count (i32) | raw length (i32) | stored length (i32)
 *           | codec (1 byte: 0 none, 1 LZ4 block) | CRC32C (i32) of the 13 bytes before it and
 *           the stored bytes | stored bytes
 * record := key length (varint) | key bytes | value length + 1 (varint, 0 = null) | value bytes
 * </pre>
 *
 * A split owns the blocks whose sync marker starts inside it, found by scanning forward from the
 * split's start, so every record is read exactly once however the file is cut.
 */
public final class BinaryFormat {
  private BinaryFormat() {}

  static final byte[] MAGIC = {'Q', 'B', 'K', 'V'};
  static final int VERSION = 1;
  static final int SYNC_LENGTH = 16;
  /** Sync marker, count, raw length, stored length, codec, CRC. */
  static final int BLOCK_HEADER_LENGTH = SYNC_LENGTH + 4 + 4 + 4 + 1 + 4;

  static final byte CODEC_NONE = 0;
  static final byte CODEC_LZ4 = 1;

  /** Key class written into new files; default: the class of the first key written. */
  public static final String OUTPUT_KEY_CLASS = "quern.output.binary.key-class";

  /** Value class written into new files; default: the class of the first value written. */
  public static final String OUTPUT_VALUE_CLASS = "quern.output.binary.value-class";

  /** {@code lz4} (default) or {@code none}. */
  public static final String OUTPUT_COMPRESSION = "quern.output.binary.compression";

  /** Uncompressed bytes per block before it is written; k/m suffixes allowed; default 256k. */
  public static final String OUTPUT_BLOCK_SIZE = "quern.output.binary.block-size";

  public static final long DEFAULT_BLOCK_SIZE = 256 << 10;

  /** When set, the key class every input file must hold; a file with another fails the task. */
  public static final String INPUT_KEY_CLASS = "quern.input.binary.key-class";

  /** When set, the value class every input file must hold. */
  public static final String INPUT_VALUE_CLASS = "quern.input.binary.value-class";

  /** The loader that resolves the classes named in a file: the thread's context loader first. */
  static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : BinaryFormat.class.getClassLoader();
  }
}
