package dev.quern.worker.task;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one partition of one map output, as stored (possibly compressed), for a reduce attempt.
 * Local mode reads the file directly; cluster mode fetches it over HTTP from the map's worker.
 * The reduce side verifies the partition's checksum from the index.
 */
public interface ShuffleSource {

  /** The stored bytes of {@code partition} in {@code output}, with its index entry. */
  Segment open(MapOutputRef output, int partition) throws IOException;

  /**
   * One partition's stored bytes.
   *
   * @param in the bytes, exactly {@code storedLength} of them
   * @param storedLength bytes as stored
   * @param rawLength bytes after decompression
   * @param checksum CRC32C of the stored bytes, from the index
   * @param compressed whether the bytes are LZ4-compressed blocks
   */
  record Segment(InputStream in, long storedLength, long rawLength, int checksum,
      boolean compressed) {}
}
