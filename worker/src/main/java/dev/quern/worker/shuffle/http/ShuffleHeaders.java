package dev.quern.worker.shuffle.http;

/**
 * Response headers that carry a partition's index entry, so a reducer verifies what it receives
 * against the map's own index. Present on 200 and 206 answers; the lengths and the checksum are
 * those of the whole partition, not of the requested range.
 */
public final class ShuffleHeaders {
  /** Bytes of the partition as stored (the length the CRC covers). */
  public static final String STORED_LENGTH = "Quern-Stored-Length";
  /** Bytes of records after decompression. */
  public static final String RAW_LENGTH = "Quern-Raw-Length";
  /** CRC32C of the stored bytes, 8 lowercase hex digits. */
  public static final String CRC32C = "Quern-Crc32c";
  /** {@code true} when the stored bytes are LZ4 blocks. */
  public static final String COMPRESSED = "Quern-Compressed";

  private ShuffleHeaders() {}
}
